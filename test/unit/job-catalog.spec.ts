import { describe, expect, it } from '@jest/globals';
import type { CatalogJob, CatalogQueue, JobCatalogOf } from '../../src/infrastructure/queue/job-catalog.js';
import type { EmailJobs } from '../../src/modules/notifications/email.types.js';

const member = { tenant_id: 'acme', user_id: 'u1' };
const recipient = { tenant_id: 'acme', to: 'a@example.com', form_id: 'f1', response_id: 'r1' };

/** Producers of the email queue; never called: what matters is what compiles. */
function produce(queue: CatalogQueue<EmailJobs>): void {
  void queue.add('welcome', member);
  // @ts-expect-error: a welcome email names its member as `user_id`
  void queue.add('welcome', { tenant_id: 'acme', id: 'u1' });
  // @ts-expect-error: the catalog has no such job
  void queue.add('farewell', member);
  void queue.addBulk([{ name: 'response-email', data: recipient }]);
  // @ts-expect-error: each entry carries its own name's data
  void queue.addBulk([{ name: 'welcome', data: recipient }]);
}

/** A processor's switch: each case reads its job's data without a cast. */
function describeJob(job: CatalogJob<EmailJobs>): string {
  switch (job.name) {
    case 'welcome':
      return `welcome ${job.data.user_id}`;
    case 'response-email':
      return `response ${job.data.response_id} to ${job.data.to}`;
    default:
      return job.name;
  }
}

describe('job catalogs', () => {
  it('type producers and processors by job name when compiled (npm run typecheck)', () => {
    // @ts-expect-error: a catalog must name every job of its name map
    const missing: JobCatalogOf<'a' | 'b', { a: object }> | null = null;
    // @ts-expect-error: and nothing else
    const extra: JobCatalogOf<'a', { a: object; b: object }> | null = null;
    expect([missing, extra]).toEqual([null, null]);
    expect(typeof produce).toBe('function');
    expect(describeJob({ name: 'welcome', data: member } as CatalogJob<EmailJobs>)).toBe('welcome u1');
  });
});
