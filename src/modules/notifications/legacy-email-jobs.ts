import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EmailJobsService } from './email-jobs.service.js';
import { EmailJobName, type EmailJobData, type SendEmailJob } from './email.types.js';

/**
 * Email jobs queued by the release before email jobs named what they work on held respondents'
 * answers in Redis, for 24 hours once completed and 7 days once failed:
 * - `send` jobs of the `response-notification` template, the answers in `context.fields`;
 * - `response-notification` jobs, the answers in `data`.
 * This answers their data without the answers (the response's id stays: a `send` job is then sent
 * by reading the response, like a `response-email` job), or null for a job that holds none.
 * Remove once no worker of that release runs and 7 days have passed (docs/operations.md).
 */
export function withoutAnswers(name: 'send', data: SendEmailJob): SendEmailJob | null;
export function withoutAnswers(name: string, data: unknown): EmailJobData | null;
export function withoutAnswers(name: string, data: unknown): EmailJobData | null {
  if (typeof data !== 'object' || data === null) return null;
  if (name === EmailJobName.Send) {
    const { tenant_id, to, template, context } = data as SendEmailJob;
    if (template !== 'response-notification' || !context || !('fields' in context)) return null;
    return { tenant_id, to, template, context: { response_id: context.response_id } };
  }
  if (name === EmailJobName.ResponseNotification && 'data' in data) {
    const rest: Record<string, unknown> = { ...data };
    delete rest.data;
    return rest as unknown as EmailJobData;
  }
  return null;
}

/** The response a legacy `send` job notifies of, when it is a response notification. */
export function legacyNotifiedResponse(job: SendEmailJob): string | null {
  const responseId = job.template === 'response-notification' ? job.context?.response_id : undefined;
  return typeof responseId === 'string' ? responseId : null;
}

/**
 * Once at every worker's start-up, in the background (the worker starts even with Redis down; the
 * next start tries again): the answers leave every email job of the previous release that rests in
 * the queue (waiting, delayed, completed, failed). One running meanwhile loses them when this release
 * runs it (`EmailProcessor`).
 */
@Injectable()
export class LegacyEmailJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger(LegacyEmailJobs.name);

  constructor(private readonly jobs: EmailJobsService) {}

  onApplicationBootstrap(): void {
    // Not awaited: start-up must not wait on Redis. `scrub` logs its own failure; the next start retries.
    void this.scrub();
  }

  /** Answers how many jobs lost their answers (0 when Redis could not be read). */
  async scrub(): Promise<number> {
    try {
      const scrubbed = await this.jobs.rewriteResting(withoutAnswers);
      if (scrubbed) this.logger.log({ msg: 'answers removed from email jobs of the previous release', scrubbed });
      return scrubbed;
    } catch (error) {
      this.logger.warn({ msg: 'email jobs of the previous release not scrubbed', err: (error as Error).message });
      return 0;
    }
  }
}
