import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service.js';
import { SharedRedis } from '../redis/shared-redis.js';

/**
 * Decides once per claim (a job's id) whether the work may happen within every counter's limit:
 * the claim's decision is stored with it, so a retried job gets the same answer and counts nothing
 * again. KEYS[1]: the claim; KEYS[2..]: the counters. ARGV[1]: the counters' window (ms); ARGV[2]: how
 * long the claim is kept (ms); ARGV[3..]: each counter's limit. Answers `granted`, `done`, or
 * `over:<n>` (the n-th counter, from 1, was full: nothing was counted).
 */
const CLAIM_SCRIPT = `
local previous = redis.call('GET', KEYS[1])
if previous then return previous end
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i + 1]) then
    redis.call('SET', KEYS[1], 'over:' .. (i - 1), 'PX', ARGV[2])
    return 'over:' .. (i - 1)
  end
end
for i = 2, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
redis.call('SET', KEYS[1], 'granted', 'PX', ARGV[2])
return 'granted'`;

type ClaimingRedis = Redis & {
  claimOnce(keys: number, ...keysAndArgs: (string | number)[]): Promise<string>;
};

/** A counter the claim must fit in: `subject` is hashed by the caller when it is personal data. */
export interface CountedLimit {
  name: string;
  subject: string;
  limit: number;
}

export type ClaimDecision = { outcome: 'granted' } | { outcome: 'done' } | { outcome: 'over'; limit: string };

/** A claim outlives every retry of its job and the job itself (a relay retry may queue it again). */
const CLAIM_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Fixed-window counters in Redis (each window starts at its first count, as the other rate limits'),
 * counted at most once per claim: for work done by retried jobs, such as an email that must count
 * once against its limits and be sent at most once. Keys hold the subjects the caller gives
 * (hashes of addresses), never more. While Redis is down a claim rejects, and the job retries.
 */
@Injectable()
export class OnceCountedLimits {
  private readonly redis: ClaimingRedis;
  private readonly prefix: string;

  constructor(config: AppConfigService, redis: SharedRedis) {
    this.prefix = `${config.queue.prefix}:once:`;
    this.redis = redis.client as ClaimingRedis;
    this.redis.defineCommand('claimOnce', { lua: CLAIM_SCRIPT });
  }

  /** Counts `claim` in every limit unless one of them is full; a claim made before answers as it did then. */
  async claim(claim: string, limits: CountedLimit[], windowMs: number): Promise<ClaimDecision> {
    const keys = [this.claimKey(claim), ...limits.map(({ name, subject }) => `${this.prefix}${name}:${subject}`)];
    const args = [windowMs, CLAIM_TTL_MS, ...limits.map(({ limit }) => limit)];
    const answer = await this.redis.claimOnce(keys.length, ...keys, ...args);
    if (answer === 'granted' || answer === 'done') return { outcome: answer };
    const index = Number(answer.slice('over:'.length)) - 1;
    return { outcome: 'over', limit: limits[index]?.name ?? 'unknown' };
  }

  /** Marks a granted claim's work as done: a retry of the job after this does not do it again. */
  async markDone(claim: string): Promise<void> {
    await this.redis.set(this.claimKey(claim), 'done', 'PX', CLAIM_TTL_MS);
  }

  private claimKey(claim: string): string {
    return `${this.prefix}claim:${claim}`;
  }
}
