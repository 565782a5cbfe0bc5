import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { QueueName } from '../queue/queue-names.js';

/** Reads a value when Prometheus scrapes; registered by the module that owns the source. */
export type GaugeSource = () => Promise<{ labels: Record<string, string>; value: number }[]>;

/** The gauges whose values are read when Prometheus scrapes (see `source`). */
export type SourcedGauge =
  | 'queue_jobs'
  | 'queue_oldest_waiting_seconds'
  | 'events_undelivered'
  | 'events_outbox_oldest_age_seconds'
  | 'redis_up';

/** Why a submission was stored as spam: the label of `spam_stored_total`. */
export type SpamReason = 'honeypot';

/** Every Prometheus metric of the process, declared once. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly sources = new Map<string, GaugeSource>();

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly jobDuration = new Histogram({
    name: 'queue_job_duration_seconds',
    help: 'Duration of processed jobs by queue and outcome',
    labelNames: ['queue', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 300],
    registers: [this.registry],
  });

  private readonly jobFailures = new Counter({
    name: 'queue_job_failures_total',
    help: 'Failed job attempts by queue',
    labelNames: ['queue'],
    registers: [this.registry],
  });

  /**
   * Each job once, when it is done for good: completed, or failed with no attempt left (a retried
   * attempt is not a task failure). The plan's failure figure (under 1 %) is failed over all.
   */
  private readonly jobsFinished = new Counter({
    name: 'queue_jobs_finished_total',
    help: 'Jobs done for good by queue and outcome (completed, or failed with no attempt left)',
    labelNames: ['queue', 'outcome'],
    registers: [this.registry],
  });

  private readonly spamSubmissions = new Counter({
    name: 'spam_stored_total',
    help: 'Submissions stored as spam (answered 201, kept out of lists, quota and events), by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  private readonly captchaVerifications = new Counter({
    name: 'captcha_verifications_total',
    help: 'Submissions to forms with a captcha, by provider and outcome (passed, missing, refused, unavailable)',
    labelNames: ['provider', 'outcome'],
    registers: [this.registry],
  });

  private readonly autoresponsesSent = new Counter({
    name: 'autoresponses_sent_total',
    help: 'Autoresponses emailed to respondents',
    registers: [this.registry],
  });

  private readonly autoresponsesSkipped = new Counter({
    name: 'autoresponses_skipped_total',
    help: 'Autoresponses not sent, by reason (address_limit, form_limit, no_address, response_deleted, …)',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const sources = this.sources;
    for (const [name, help, labelNames] of [
      ['queue_jobs', 'Jobs per queue and state (waiting, active, delayed, failed)', ['queue', 'state']],
      ['queue_oldest_waiting_seconds', 'Age of the oldest job waiting in each queue (0 when none)', ['queue']],
      ['events_undelivered', 'Event envelopes not yet handed to the queues (the outbox)', []],
      ['events_outbox_oldest_age_seconds', 'Age of the oldest event not yet handed to the queues (0 when none)', []],
      ['redis_up', 'Whether Redis answered a PING from this process when scraped (1) or not (0)', []],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: [...labelNames],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const { labels, value } of (await sources.get(name)?.()) ?? []) this.set(labels, value);
        },
      });
    }
    // Every queue's series exist from the start: a counter's first increase is then never lost to
    // Prometheus (a series born at 1 shows no increase), and a quiet queue reads 0, not "no data".
    for (const queue of Object.values(QueueName)) {
      for (const outcome of ['completed', 'failed']) this.jobsFinished.inc({ queue, outcome }, 0);
    }
  }

  /** Supplies a gauge's values at scrape time. */
  source(name: SourcedGauge, read: GaugeSource): void {
    this.sources.set(name, read);
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** One new spam response (a replayed idempotency key counts once). */
  spamStored(reason: SpamReason): void {
    this.spamSubmissions.inc({ reason });
  }

  captchaVerified(provider: string, outcome: 'passed' | 'missing' | 'refused' | 'unavailable'): void {
    this.captchaVerifications.inc({ provider, outcome });
  }

  autoresponseSent(): void {
    this.autoresponsesSent.inc();
  }

  autoresponseSkipped(reason: string): void {
    this.autoresponsesSkipped.inc({ reason });
  }

  observeJob(queue: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.jobDuration.observe({ queue, outcome }, seconds);
    if (outcome === 'failed') this.jobFailures.inc({ queue });
  }

  /** A job is done for good: completed, or failed with no attempt left. */
  jobFinished(queue: string, outcome: 'completed' | 'failed'): void {
    this.jobsFinished.inc({ queue, outcome });
  }
}
