import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import {
  EmailJobName,
  type EmailJobData,
  type InvitationEmailJob,
  type PasswordResetEmailJob,
  type ResponseEmailJob,
  type ResponseNotificationJob,
  type WelcomeEmailJob,
} from './email.types.js';

/**
 * Queues email work. Job ids are deterministic (`jobIdFor`), so queuing the same event
 * again (a relay retry) never makes a second job while the first is known to Redis.
 */
@Injectable()
export class EmailJobsService {
  constructor(
    @InjectQueue(QueueName.email) private readonly queue: Queue<EmailJobData>,
    private readonly redis: RedisAvailability,
  ) {}

  welcome(jobId: string, job: WelcomeEmailJob): Promise<void> {
    return this.add(EmailJobName.welcome, jobId, job);
  }

  /** One job per recipient of a response's notification: a failing address retries alone. */
  async sendResponseEmails(jobs: { jobId: string; job: ResponseEmailJob }[]): Promise<void> {
    this.redis.assertAvailable();
    await this.queue.addBulk(
      jobs.map(({ jobId, job }) => ({ name: EmailJobName.responseEmail, data: job, opts: { jobId } })),
    );
  }

  notifyResponse(jobId: string, job: ResponseNotificationJob): Promise<void> {
    return this.add(EmailJobName.responseNotification, jobId, job);
  }

  sendInvitation(jobId: string, job: InvitationEmailJob): Promise<void> {
    return this.add(EmailJobName.invitation, jobId, job);
  }

  sendPasswordReset(jobId: string, job: PasswordResetEmailJob): Promise<void> {
    return this.add(EmailJobName.passwordReset, jobId, job);
  }

  private async add(name: string, jobId: string, job: EmailJobData): Promise<void> {
    this.redis.assertAvailable();
    await this.queue.add(name, job, { jobId });
  }
}
