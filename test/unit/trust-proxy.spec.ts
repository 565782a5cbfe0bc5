import { describe, expect, it } from '@jest/globals';
import Fastify from 'fastify';
import { trustProxyFrom, trustProxyWarning } from '../../src/infrastructure/http/http-app.js';

/** The client address Fastify derives for one request from `peer` with `X-Forwarded-For: forwarded`. */
async function clientIp(setting: string | undefined, peer: string, forwarded: string): Promise<string> {
  const app = Fastify({ trustProxy: trustProxyFrom(setting) });
  app.get('/', async (request) => ({ ip: request.ip }));
  const answer = await app.inject({ url: '/', remoteAddress: peer, headers: { 'x-forwarded-for': forwarded } });
  await app.close();
  return (answer.json() as { ip: string }).ip;
}

describe('TRUST_PROXY', () => {
  it('trusts nothing by default: the client is the TCP peer', async () => {
    expect(await clientIp(undefined, '198.51.100.9', '203.0.113.5')).toBe('198.51.100.9');
  });

  it("with CIDR ranges, believes X-Forwarded-For only from the proxies' own addresses", async () => {
    const setting = '10.0.0.0/8, 192.168.1.10';
    expect(await clientIp(setting, '10.1.2.3', '203.0.113.5')).toBe('203.0.113.5');
    expect(await clientIp(setting, '192.168.1.10', '203.0.113.6')).toBe('203.0.113.6');
    // A visitor reaching the API directly cannot choose its own address (and rate-limit bucket).
    expect(await clientIp(setting, '198.51.100.9', '203.0.113.5')).toBe('198.51.100.9');
    // Addresses a client prepends are not believed: the right-most untrusted hop is the client.
    expect(await clientIp(setting, '10.1.2.3', '1.1.1.1, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('with a hop count, believes whoever connects, and says so at start-up', async () => {
    expect(await clientIp('1', '198.51.100.9', '203.0.113.5')).toBe('203.0.113.5');
    expect(trustProxyWarning('1')).toMatch(/hop count.*CIDR/);
    expect(trustProxyWarning('10.0.0.0/8')).toBeNull();
    expect(trustProxyWarning(undefined)).toBeNull();
  });
});
