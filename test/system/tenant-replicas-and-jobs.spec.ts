import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BullModule, BullRegistrar, getQueueToken, Processor } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { InjectModel, MongooseModule } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import type { Job, Queue } from 'bullmq';
import type { Model } from 'mongoose';
import { CoreModule } from '../../src/core.module.js';
import { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import type { CatalogJob } from '../../src/infrastructure/queue/job-catalog.js';
import { TenantScopedProcessor, type TenantJobData } from '../../src/infrastructure/queue/tenant-scoped.processor.js';
import { TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { TenantsModule } from '../../src/modules/tenants/tenants.module.js';
import { User, UserSchema } from '../../src/modules/users/user.schema.js';
import { adminHeaders, createTenant, addMember } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';

const PROBE_QUEUE = 'tenant-probe';

/** The probe queue's jobs: `slow` counts too, after a pause. */
interface ProbeJobs {
  count: TenantJobData;
  slow: TenantJobData;
}

/** A processor of tenant data: counts the users it can see, from inside the job's tenant context. */
@Processor(PROBE_QUEUE)
class UserCountProcessor extends TenantScopedProcessor<ProbeJobs, { tenant_id: string; users: number }> {
  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    config: AppConfigService,
  ) {
    super(config);
  }

  protected async handle(job: CatalogJob<ProbeJobs>, signal: AbortSignal) {
    if (job.name === 'slow') await sleep(2_000, undefined, { signal });
    return { tenant_id: TenantContext.tenantId(), users: await this.users.countDocuments() };
  }
}

describe('tenancy across processes', () => {
  let replicaA: E2eApp;
  let replicaB: E2eApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    useTestEnvironment('tenant-replicas', {
      LOG_LEVEL: 'error',
      QUEUE_BACKOFF_MS: '50',
      QUEUE_JOB_TIMEOUT_MS: '1000',
      QUEUE_SUSPENDED_TENANT_DELAY_MS: '300',
    });
    replicaA = await createE2eApp();
    replicaB = await createE2eApp();
    const workerModule = await Test.createTestingModule({
      imports: [
        CoreModule,
        TenantsModule,
        MongooseModule.forFeature([{ name: User.name, schema: UserSchema }]),
        BullModule.registerQueue({ name: PROBE_QUEUE }),
      ],
      providers: [UserCountProcessor],
    }).compile();
    // Queue workers start on request (the worker process does it in WorkerQueues); this probe starts its own.
    workerModule.get(BullRegistrar).register();
    worker = await workerModule.init();
    await createTenant(replicaA, 'acme');
    await createTenant(replicaA, 'globex');
  });

  afterAll(async () => {
    await worker.close();
    await replicaB.app.close();
    await replicaA.close();
  });

  it("a suspension on one API replica reaches another replica's cache over Redis, well before the TTL", async () => {
    const probe = () => replicaB.http.get('/api/v1/forms/0123456789abcdef01234567/public').set('x-tenant-id', 'acme');
    expect((await probe()).body.error).toBe('not_found');
    const suspendedAt = Date.now();
    await replicaA.http.patch('/api/v1/admin/tenants/acme').set(adminHeaders).send({ status: 'suspended' }).expect(200);
    const seen = await eventually(probe, (response) => response.body.error === 'tenant_suspended', 5_000);
    expect([seen.status, seen.body.error]).toEqual([403, 'tenant_suspended']);
    expect(Date.now() - suspendedAt).toBeLessThan(5_000);
    await replicaA.http.patch('/api/v1/admin/tenants/acme').set(adminHeaders).send({ status: 'active' }).expect(200);
  });

  it("runs a tenant's job inside that tenant's context and fails a job without a tenant, without retrying", async () => {
    await addMember(replicaA, 'acme', 'one@example.com');
    await addMember(replicaA, 'globex', 'one@example.com');
    await addMember(replicaA, 'globex', 'two@example.com');
    const queue = worker.get<Queue>(getQueueToken(PROBE_QUEUE));
    const settled = (job: Job) =>
      eventually(
        async () => queue.getJob(job.id as string),
        (current) => current?.finishedOn !== undefined,
      );

    const forAcme = await settled(await queue.add('count', { tenant_id: 'acme' }));
    const forGlobex = await settled(await queue.add('count', { tenant_id: 'globex' }));
    expect(forAcme?.returnvalue).toEqual({ tenant_id: 'acme', users: 1 });
    expect(forGlobex?.returnvalue).toEqual({ tenant_id: 'globex', users: 2 });

    const orphan = await settled(await queue.add('count', {} as TenantJobData, { attempts: 3 }));
    expect(orphan?.failedReason).toMatch(/carries no tenant_id/);
    expect(orphan?.attemptsMade).toBe(1);
  });

  it('fails a job past its time limit with a timeout error, and retries it', async () => {
    const queue = worker.get<Queue>(getQueueToken(PROBE_QUEUE));
    const job = await queue.add('slow', { tenant_id: 'acme' }, { attempts: 2 });
    const failed = await eventually(
      async () => queue.getJob(job.id as string),
      (current) => current?.finishedOn !== undefined,
    );
    expect(failed?.failedReason).toMatch(/ran longer than 1000 ms/);
    expect(failed?.attemptsMade).toBe(2);
  });

  it("keeps a suspended tenant's jobs waiting without using an attempt, runs them once it is active again, and fails a deleted tenant's job", async () => {
    const queue = worker.get<Queue>(getQueueToken(PROBE_QUEUE));
    await replicaA.http
      .patch('/api/v1/admin/tenants/globex')
      .set(adminHeaders)
      .send({ status: 'suspended' })
      .expect(200);
    const job = await queue.add('count', { tenant_id: 'globex' }, { attempts: 1 });
    const waiting = await eventually(
      async () => ({ state: await queue.getJobState(job.id as string), job: await queue.getJob(job.id as string) }),
      ({ state, job: current }) => state === 'delayed' && (current?.processedOn ?? 0) > 0,
    );
    expect(waiting.job?.attemptsMade).toBe(0);
    await sleep(700);
    // Still neither run nor failed, and no attempt used; it may be between two looks (briefly active).
    const later = await queue.getJob(job.id as string);
    expect([later?.finishedOn, later?.attemptsMade]).toEqual([undefined, 0]);

    await replicaA.http.patch('/api/v1/admin/tenants/globex').set(adminHeaders).send({ status: 'active' }).expect(200);
    const done = await eventually(
      async () => queue.getJob(job.id as string),
      (current) => current?.finishedOn !== undefined,
    );
    expect(done?.returnvalue).toEqual({ tenant_id: 'globex', users: 2 });

    const orphan = await queue.add('count', { tenant_id: 'no-such-tenant' }, { attempts: 3 });
    const failed = await eventually(
      async () => queue.getJob(orphan.id as string),
      (current) => current?.finishedOn !== undefined,
    );
    expect(failed?.failedReason).toMatch(/tenant 'no-such-tenant' does not exist/);
    expect(failed?.attemptsMade).toBe(1);
  });
});
