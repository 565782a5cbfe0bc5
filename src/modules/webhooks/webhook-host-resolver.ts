import { lookup, Resolver } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';

/**
 * How webhook hosts are resolved: the system resolver (as every other connection), or the DNS
 * servers of `WEBHOOK_DNS_SERVERS` when set. Resolved once per check: the connection then goes to
 * the checked address, so a name that changes its answer between check and connect (DNS rebinding)
 * gains nothing.
 */
@Injectable()
export class WebhookHostResolver {
  private readonly resolver: Resolver | null;

  constructor(config: AppConfigService) {
    const servers = config.webhooks.dnsServers;
    this.resolver = servers.length ? new Resolver({ timeout: 2_000, tries: 2 }) : null;
    this.resolver?.setServers(servers);
  }

  readonly resolve = async (host: string): Promise<string[]> => {
    if (!this.resolver) return (await lookup(host, { all: true })).map((entry) => entry.address);
    const [v4, v6] = await Promise.all([
      this.resolver.resolve4(host).catch(() => [] as string[]),
      this.resolver.resolve6(host).catch(() => [] as string[]),
    ]);
    return [...v4, ...v6];
  };
}
