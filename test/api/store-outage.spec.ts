import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection, Schema } from 'mongoose';
import { startMongoStore, type RunningMongo } from '../../harness/stores.js';
import { MongoAvailability, StoreUnreachableError } from '../../src/infrastructure/database/mongo-availability.js';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';

/** What every request needing MongoDB answers while the driver knows it is down. */
const STORE_DOWN = {
  statusCode: 503,
  error: 'service_unavailable',
  message: 'The database is unavailable; try again shortly',
};

/** Runs `request` and answers its response with how long it took. */
async function timed<T>(request: PromiseLike<T>): Promise<{ answer: T; ms: number }> {
  const started = performance.now();
  const answer = await request;
  return { answer, ms: performance.now() - started };
}

describe('while MongoDB is down (the store this test started, stopped and restarted)', () => {
  let mongo: RunningMongo;
  let api: E2eApp;
  let owner: SignedInUser;
  let formId: string;
  let restart: () => Promise<void>;

  const submit = (email: string) =>
    api.http.post(`/api/v1/forms/${formId}/submit`).set('x-tenant-id', 'outage').send({ data: { email } });

  beforeAll(async () => {
    mongo = await startMongoStore();
    useTestEnvironment('store-outage', { MONGO_URL: mongo.url });
    api = await createE2eApp();
    await createTenant(api, 'outage');
    owner = await addMember(api, 'outage');
    formId = await createForm(api, owner);
    await submit('before@example.com').expect(201);
  });

  afterAll(async () => {
    await api.close();
    await mongo.stop();
  });

  it('says so on /health/ready within 2 s, and refuses every API request with a 503 in under a second', async () => {
    // FerretDB serves until its process exits (it takes a few seconds to close): the outage starts then.
    ({ restart } = await mongo.outage());
    const stoppedAt = Date.now();

    const notReady = await eventually(
      () => api.http.get('/health/ready'),
      (answer) => answer.status === 503,
      2_000,
    );
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(notReady.body).toMatchObject({ statusCode: 503, error: 'not_ready', message: 'Unavailable: mongodb' });
    await api.http.get('/health/live').expect(200);

    const requests = {
      'a visitor submits': submit('during@example.com'),
      'a member reads a form': api.http.get(`/api/v1/forms/${formId}`).set(owner.headers),
      'a member lists responses': api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers),
      'someone signs in': api.http
        .post('/api/v1/auth/login')
        .set('x-tenant-id', 'outage')
        .send({ email: owner.email, password: 'password-123' }),
    };
    for (const [what, request] of Object.entries(requests)) {
      const { answer, ms } = await timed(request);
      expect({ what, status: answer.status, body: answer.body, retryAfter: answer.headers['retry-after'] }).toEqual({
        what,
        status: 503,
        body: STORE_DOWN,
        retryAfter: '5',
      });
      expect(ms).toBeLessThan(1_000);
    }
  });

  it('fails every model operation at once, without waiting for a server', async () => {
    const known = await eventually(
      async () => api.app.get(MongoAvailability).isUnreachable(),
      (unreachable) => unreachable,
      2_000,
    );
    expect(known).toBe(true);
    const connection = api.app.get<Connection>(getConnectionToken());
    const Probe = connection.model('OutageProbe', new Schema({ n: Number }));
    const operations = {
      find: () => Probe.find({ n: 1 }).exec(),
      save: () => new Probe({ n: 1 }).save(),
      insertMany: () => Probe.insertMany([{ n: 1 }]),
      bulkWrite: () => Probe.bulkWrite([{ insertOne: { document: { n: 1 } } }]),
      aggregate: () => Probe.aggregate([{ $match: { n: 1 } }]).exec(),
    };
    for (const [name, operation] of Object.entries(operations)) {
      const started = performance.now();
      const failure = await operation().then(
        () => null,
        (error: unknown) => error,
      );
      expect({ name, refused: failure instanceof StoreUnreachableError }).toEqual({ name, refused: true });
      expect(performance.now() - started).toBeLessThan(100);
    }
  });

  // Back within 20 s: the flip back waits for the driver's monitor to reconnect and finish its handshake
  // with a store that is still starting (SecantusDB, under a full test run, once took over 5 s).
  it('is ready and serving again soon after the store is back, with nothing of the outage stored', async () => {
    await restart();
    const ready = await eventually(
      () => api.http.get('/health/ready'),
      (answer) => answer.status === 200,
      20_000,
    );
    expect(ready.status).toBe(200);

    await submit('after@example.com').expect(201);
    const listed = await api.http.get(`/api/v1/forms/${formId}/responses`).set(owner.headers).expect(200);
    const emails = listed.body.data.map((response: { data: { email: string } }) => response.data.email).sort();
    expect(emails).toEqual(['after@example.com', 'before@example.com']);
  }, 40_000);
});
