import type { BulkJobOptions, Job, JobsOptions, Queue } from 'bullmq';

/**
 * Job catalogs: a queue's catalog maps each job name it takes to the data its jobs carry, e.g.
 * `interface WebhookJobs { deliver: WebhookJob }`. Producers add through a `CatalogQueue` (a name of
 * the catalog and that name's data, checked); processors take a `CatalogJob`, where switching on
 * `job.name` narrows `job.data`. Neither side casts.
 */

/** Compiles only when the catalog `Jobs` names exactly `Names` (the values of a job-name map). */
export type JobCatalogOf<
  Names extends string,
  Jobs extends Record<Names, object> & Record<Exclude<keyof Jobs, Names>, never>,
> = Jobs;

/** What a scheduled job carries: nothing (its scheduler gives it a name only). */
export type ScheduledJobData = Record<string, never>;

/** One job of the catalog, of any of its names: `job.name` tells which, and narrows `job.data`. */
export type CatalogJob<Jobs, Result = unknown> = {
  [Name in keyof Jobs & string]: Job<Jobs[Name], Result, Name>;
}[keyof Jobs & string];

/** One entry of an `addBulk`: a name of the catalog with its data. */
export type CatalogBulkJob<Jobs> = {
  [Name in keyof Jobs & string]: { name: Name; data: Jobs[Name]; opts?: BulkJobOptions };
}[keyof Jobs & string];

/**
 * A queue as its producers see it, injected as such: `@InjectQueue(QueueName.Webhook) queue:
 * CatalogQueue<WebhookJobs>`. `add` and `addBulk` take only the catalog's names, each with its data.
 */
export interface CatalogQueue<Jobs, Result = unknown> extends Omit<Queue<CatalogJob<Jobs, Result>>, 'add' | 'addBulk'> {
  add<Name extends keyof Jobs & string>(
    name: Name,
    data: Jobs[Name],
    opts?: JobsOptions,
  ): Promise<Job<Jobs[Name], Result, Name>>;
  addBulk(jobs: CatalogBulkJob<Jobs>[]): Promise<CatalogJob<Jobs, Result>[]>;
}
