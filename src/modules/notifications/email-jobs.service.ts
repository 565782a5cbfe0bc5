import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, JobType } from 'bullmq';
import { FairPriority, URGENT_PRIORITY } from '../../infrastructure/queue/fair-priority.js';
import type { CatalogBulkJob, CatalogQueue } from '../../infrastructure/queue/job-catalog.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { RedisAvailability } from '../../infrastructure/queue/redis-availability.js';
import {
  type AutoresponseJob,
  EmailJobName,
  type EmailJobData,
  type EmailJobs,
  type InvitationEmailJob,
  type PasswordResetEmailJob,
  type ResponseEmailJob,
  type ResponseNotificationJob,
  type WebhookDisabledEmailJob,
  type WelcomeEmailJob,
} from './email.types.js';

/** Every state a job rests in; an active one is locked by the worker running it. */
const RESTING_STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'completed', 'failed'];
const PAGE = 500;

/**
 * Queues email work. Job ids are deterministic (`jobIdFor`), so queuing the same event
 * again (a relay retry) never makes a second job while the first is known to Redis.
 *
 * Fairness between tenants (`FairPriority`): emails a member waits for (welcome, invitation, password
 * reset, a disabled webhook's notice) go before any tenant's backlog; the others (response
 * notifications, autoresponses) are ranked within their tenant, so one tenant's thousands of
 * notifications do not hold back another tenant's first.
 */
@Injectable()
export class EmailJobsService {
  constructor(
    @InjectQueue(QueueName.Email) private readonly queue: CatalogQueue<EmailJobs>,
    private readonly redis: RedisAvailability,
    private readonly fairness: FairPriority,
  ) {}

  welcome(jobId: string, job: WelcomeEmailJob): Promise<void> {
    return this.add(EmailJobName.Welcome, jobId, job, URGENT_PRIORITY);
  }

  /** One job per recipient of a response's notification: a failing address retries alone. */
  async sendResponseEmails(jobs: { jobId: string; job: ResponseEmailJob }[]): Promise<void> {
    this.redis.assertAvailable();
    const priorities = await this.fairness.nextEach(
      QueueName.Email,
      jobs.map(({ job }) => job.tenant_id),
    );
    await this.queue.addBulk(
      jobs.map(({ jobId, job }, index) => ({
        name: EmailJobName.ResponseEmail,
        data: job,
        opts: { jobId, priority: priorities[index] },
      })),
    );
  }

  /**
   * A response's emails (its notification, its autoresponse, either or both): ranked among the
   * tenant's jobs with one counter increment for all of them, then added in one round trip
   * (`addBulk`), in the order given. Nothing to queue: no round trip at all.
   */
  async queueResponseEmails(
    tenantId: string,
    jobs: {
      notification?: { jobId: string; job: ResponseNotificationJob };
      autoresponse?: { jobId: string; job: AutoresponseJob };
    },
  ): Promise<void> {
    const entries: CatalogBulkJob<EmailJobs>[] = [];
    if (jobs.notification) {
      const { jobId, job } = jobs.notification;
      entries.push({ name: EmailJobName.ResponseNotification, data: job, opts: { jobId } });
    }
    if (jobs.autoresponse) {
      const { jobId, job } = jobs.autoresponse;
      entries.push({ name: EmailJobName.Autoresponse, data: job, opts: { jobId } });
    }
    if (entries.length === 0) return;
    this.redis.assertAvailable();
    const priorities = await this.fairness.next(QueueName.Email, tenantId, entries.length);
    await this.queue.addBulk(
      entries.map((entry, index) => ({ ...entry, opts: { ...entry.opts, priority: priorities[index] } })),
    );
  }

  sendInvitation(jobId: string, job: InvitationEmailJob): Promise<void> {
    return this.add(EmailJobName.Invitation, jobId, job, URGENT_PRIORITY);
  }

  sendPasswordReset(jobId: string, job: PasswordResetEmailJob): Promise<void> {
    return this.add(EmailJobName.PasswordReset, jobId, job, URGENT_PRIORITY);
  }

  webhookDisabled(jobId: string, job: WebhookDisabledEmailJob): Promise<void> {
    return this.add(EmailJobName.WebhookDisabled, jobId, job, URGENT_PRIORITY);
  }

  /**
   * Replaces the data of every job resting in the queue (not running) for which `rewrite` answers new
   * data; answers how many. A job removed meanwhile is passed over.
   */
  async rewriteResting(rewrite: (name: string, data: unknown) => EmailJobData | null): Promise<number> {
    let rewritten = 0;
    for (const state of RESTING_STATES) {
      for (let start = 0; ; start += PAGE) {
        const jobs = await this.queue.getJobs([state], start, start + PAGE - 1);
        for (const job of jobs) {
          const data = job ? rewrite(job.name, job.data) : null;
          if (data && (await this.replaceData(job, data))) rewritten += 1;
        }
        if (jobs.length < PAGE) break;
      }
    }
    return rewritten;
  }

  /** False when the job went meanwhile (completed jobs are removed as they age). */
  private replaceData(job: Job<EmailJobData>, data: EmailJobData): Promise<boolean> {
    return job.updateData(data).then(
      () => true,
      () => false,
    );
  }

  private async add<Name extends keyof EmailJobs & string>(
    name: Name,
    jobId: string,
    job: EmailJobs[Name],
    urgent?: typeof URGENT_PRIORITY,
  ): Promise<void> {
    this.redis.assertAvailable();
    const priority = urgent ?? (await this.fairness.next(QueueName.Email, job.tenant_id))[0];
    await this.queue.add(name, job, { jobId, priority });
  }
}
