import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import type { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import type { AuditLogService } from '../../src/modules/events/audit-log.service.js';
import { postPinned } from '../../src/modules/webhooks/pinned-post.js';
import { WebhookDeliveryService } from '../../src/modules/webhooks/webhook-delivery.service.js';
import type { WebhookHealthService } from '../../src/modules/webhooks/webhook-health.service.js';
import type { WebhookHostResolver } from '../../src/modules/webhooks/webhook-host-resolver.js';
import { legacySignature } from '../../src/modules/webhooks/webhook-signature.js';
import { isPublicAddress, pinTarget } from '../../src/modules/webhooks/webhook-target.js';
import type { WebhooksRepository } from '../../src/modules/webhooks/webhooks.repository.js';

describe('webhook targets', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.1.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['64:ff9b::7f00:1', 'NAT64 (well-known prefix)'],
    ['64:ff9b:1::a00:1', 'NAT64 (local-use prefix)'],
    ['2002:7f00:1::1', '6to4'],
    ['2001::1', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['not-an-address', 'not an address'],
  ])('%s is not public (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.216.34', '2606:4700::1111', '::ffff:93.184.216.34'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  const resolvingTo =
    (...addresses: string[]) =>
    async () =>
      addresses;

  it('pins a URL to the address its host resolved to, refusing it when any address is not public', async () => {
    expect(await pinTarget('https://hooks.example.com/in', resolvingTo('93.184.216.34'), false)).toMatchObject({
      address: '93.184.216.34',
      family: 4,
      url: new URL('https://hooks.example.com/in'),
    });
    expect(await pinTarget('https://hooks.example.com/in', resolvingTo('2606:4700::1111'), false)).toMatchObject({
      family: 6,
    });
    // One internal address among public ones is enough to refuse: the connection could land on it.
    expect(await pinTarget('https://x.example.com/', resolvingTo('93.184.216.34', '10.0.0.1'), false)).toBeNull();
    expect(await pinTarget('https://x.example.com/', resolvingTo(), false)).toBeNull();
    const failing = async (): Promise<string[]> => {
      throw new Error('ENOTFOUND');
    };
    expect(await pinTarget('https://x.example.com/', failing, false)).toBeNull();
    expect(await pinTarget('http://[::1]:8080/hook', resolvingTo(), false)).toBeNull();
    expect(await pinTarget('http://127.0.0.1:8080/hook', resolvingTo(), false)).toBeNull();
    expect(await pinTarget('http://127.0.0.1:8080/hook', resolvingTo(), true)).toMatchObject({ address: '127.0.0.1' });
  });

  it('refuses non-http schemes, credentials and non-URLs even when private targets are allowed', async () => {
    for (const url of ['file:///etc/passwd', 'https://user:pw@93.184.216.34/', 'not a url', 'gopher://x/']) {
      expect(await pinTarget(url, resolvingTo('93.184.216.34'), true)).toBeNull();
    }
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256 (vector from openssl dgst -sha256 -hmac)', () => {
    expect(legacySignature('secret', '1700000000', '{"a":1}')).toBe(
      'sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
    );
  });
});

describe('pinned delivery', () => {
  let server: Server;
  let port: number;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        // A receiver that never answers: only a timeout or the job's own signal ends the request.
        if (request.url === '/hang') return;
        response.writeHead(request.url === '/moved' ? 302 : 204, { location: 'http://127.0.0.1:1/' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  it('connects to the checked address with the URL host name in the Host header, whatever DNS says', async () => {
    // The name does not resolve at all: the connection can only have gone to the pinned address.
    const url = new URL(`http://hooks.invalid:${port}/in`);
    const status = await postPinned({ url, address: '127.0.0.1', family: 4 }, { 'x-probe': '1' }, '{"a":1}', 2_000);
    expect(status).toBe(204);
    expect(received.at(-1)).toMatchObject({
      headers: { host: `hooks.invalid:${port}`, 'x-probe': '1', 'content-length': '7' },
      body: '{"a":1}',
    });
  });

  it('does not follow redirects: the receiver cannot send a delivery elsewhere', async () => {
    const url = new URL(`http://hooks.invalid:${port}/moved`);
    expect(await postPinned({ url, address: '127.0.0.1', family: 4 }, {}, '{}', 2_000)).toBe(302);
  });

  it("stops the request when the job's signal fires, well before the delivery timeout", async () => {
    const url = new URL(`http://hooks.invalid:${port}/hang`);
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(new Error('job time limit')), 100);
    await expect(
      postPinned({ url, address: '127.0.0.1', family: 4 }, {}, '{}', 20_000, stop.signal),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('records a delivery stopped by the job time limit as pending, to be retried', async () => {
    const recorded: unknown[][] = [];
    const webhooks = {
      findById: async () => ({ active: true, url: `http://127.0.0.1:${port}/hang`, secret: 'secret' }),
      recordAttempt: async (...args: unknown[]) => {
        recorded.push(args);
      },
    } as unknown as WebhooksRepository;
    const events = {
      envelope: async (event_id: string) => ({ event_id, event_type: 'response.submitted', payload: {} }),
    } as unknown as AuditLogService;
    const config = { webhooks: { timeoutMs: 20_000, allowPrivate: true } } as unknown as AppConfigService;
    const health = {} as WebhookHealthService;
    const deliveries = new WebhookDeliveryService(webhooks, {} as WebhookHostResolver, events, health, config);
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('job time limit')), 100);
    const outcome = await deliveries.attempt(new Types.ObjectId(), 'event-1', false, stop.signal);
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'Delivery failed: stopped at the job time limit' });
    expect(recorded).toEqual([
      [
        expect.anything(),
        'event-1',
        expect.objectContaining({ error: 'stopped at the job time limit' }),
        'pending',
        'response.submitted',
      ],
    ]);
  });
});
