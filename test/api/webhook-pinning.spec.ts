import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addMember, createForm, createTenant, type SignedInUser } from '../support/api-fixtures.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { eventually } from '../support/eventually.js';
import { useTestEnvironment } from '../support/test-environment.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const REFUSED = 'url must be an http(s) URL of a public host, without credentials';
const PUBLIC_ADDRESS = '93.184.216.34';

describe('webhook targets are checked at every delivery and connected to as checked', () => {
  let dns: TestDnsServer;
  let receiver: WebhookReceiver;
  let api: E2eApp;
  let worker: TestWorker;
  let owner: SignedInUser;
  let formId: string;

  const subscribe = (url: string) =>
    api.http
      .post('/api/v1/webhooks')
      .set(owner.headers)
      .send({ url, events: ['response.submitted'] });

  beforeAll(async () => {
    dns = await startDnsServer();
    receiver = await startWebhookReceiver();
    useTestEnvironment('webhook-pinning', {
      WEBHOOK_DNS_SERVERS: dns.address,
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_ATTEMPTS: '2',
    });
    api = await createE2eApp();
    worker = await startWorker();
    await createTenant(api, 'acme', { features: { webhooks: true }, max_webhooks: 2 });
    owner = await addMember(api, 'acme');
    formId = await createForm(api, owner, { title: 'Hooked' });
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
    await receiver.stop();
    await dns.stop();
  });

  it('refuses every internal or unresolvable target with one message', async () => {
    dns.answer('internal.hooks.test', '10.0.0.7');
    dns.answer('mixed.hooks.test', PUBLIC_ADDRESS, '127.0.0.1');
    for (const url of [
      receiver.url('/direct'),
      'http://internal.hooks.test/in',
      'http://mixed.hooks.test/in',
      'http://nowhere.hooks.test/in',
      'http://[::ffff:127.0.0.1]/in',
      'http://[64:ff9b::a00:1]/in',
      'http://100.64.0.1/in',
    ]) {
      const refused = await subscribe(url);
      expect([refused.status, refused.body.details]).toEqual([400, [{ field: 'url', message: REFUSED }]]);
    }
  });

  it('refuses at delivery a host that resolved to a public address when subscribed and to loopback now', async () => {
    const port = new URL(receiver.url('/')).port;
    dns.answer('rebinding.hooks.test', PUBLIC_ADDRESS);
    const created = await subscribe(`http://rebinding.hooks.test:${port}/rebound`).expect(201);
    dns.answer('rebinding.hooks.test', '127.0.0.1');

    await api.http
      .post(`/api/v1/forms/${formId}/submit`)
      .set('x-tenant-id', 'acme')
      .send({ data: { email: 'visitor@example.com' } })
      .expect(201);
    const [delivery] = await eventually(
      async () =>
        (await api.http.get(`/api/v1/webhooks/${created.body.webhook_id}/deliveries`).set(owner.headers)).body.data as {
          status: string;
          last_error: string;
          response_status: number | null;
        }[],
      (list) => list.length === 1 && list[0].status !== 'pending',
    );
    expect(delivery).toMatchObject({ status: 'failed', last_error: REFUSED, response_status: null });
    expect(receiver.received.filter((hook) => hook.path === '/rebound')).toEqual([]);
  });

  it('keeps a tenant within max_webhooks (403 quota_exceeded)', async () => {
    dns.answer('one.hooks.test', PUBLIC_ADDRESS);
    dns.answer('two.hooks.test', PUBLIC_ADDRESS);
    await subscribe('http://one.hooks.test/in').expect(201);
    const over = await subscribe('http://two.hooks.test/in');
    expect([over.status, over.body.error]).toEqual([403, 'quota_exceeded']);
    const list = await api.http.get('/api/v1/webhooks').set(owner.headers).expect(200);
    expect(list.body.data).toHaveLength(2);
  });
});
