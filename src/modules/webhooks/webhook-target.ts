import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The one answer for every refused webhook URL, whatever the reason: telling "resolves to a private
 * address" from "does not resolve" would let a tenant map the deployment's network.
 */
export const REFUSED_URL = 'url must be an http(s) URL of a public host, without credentials';

/** Resolves a host name to every address it has (both families). */
export type HostResolver = (host: string) => Promise<string[]>;

/** A checked target: deliveries connect to exactly `address`, with the URL's host name in Host and TLS. */
export interface PinnedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Whether an address is on the public internet: `unicast` in ipaddr.js's terms, which leaves out
 * loopback, private, link-local, unique-local, carrier-grade NAT (100.64/10), multicast, broadcast,
 * unspecified, reserved and documentation ranges, and every IPv6 range that embeds or translates an
 * IPv4 address (NAT64 64:ff9b::/96 and /48, 6to4, Teredo). An IPv4-mapped IPv6 address is judged by
 * the IPv4 address it reaches.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/**
 * Resolves the URL's host once and checks every address it has; null when the URL is refused. With
 * `allowPrivate` (development, tests) any address passes, but the connection is still pinned.
 */
export async function pinTarget(
  rawUrl: string,
  resolve: HostResolver,
  allowPrivate: boolean,
): Promise<PinnedTarget | null> {
  const url = URL.canParse(rawUrl) ? new URL(rawUrl) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await resolve(host).catch(() => []);
  if (addresses.length === 0) return null;
  if (!allowPrivate && !addresses.every(isPublicAddress)) return null;
  const [address] = addresses;
  return { url, address, family: isIP(address) === 6 ? 6 : 4 };
}
