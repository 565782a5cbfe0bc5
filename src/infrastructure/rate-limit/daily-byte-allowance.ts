import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfigService } from '../config/app-config.service.js';
import { SharedRedis } from '../redis/shared-redis.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A day's counter outlives its day a little, so a late give-back still finds it; then Redis drops it. */
const COUNTER_TTL_MS = 2 * DAY_MS;
const WARN_EVERY_MS = 10_000;

/**
 * Takes up to ARGV[1] bytes of an allowance of ARGV[2] in one step: answers how many were granted
 * (0 when none are left). Parallel reservations are serialised by Redis, so together they never
 * pass the allowance.
 */
const RESERVE_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local granted = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - used)
if granted <= 0 then return 0 end
redis.call('INCRBY', KEYS[1], granted)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return granted`;

/** Gives back ARGV[1] bytes, never below zero and never reviving a counter that expired. */
const GIVE_BACK_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used <= 0 then return 0 end
return redis.call('DECRBY', KEYS[1], math.min(used, tonumber(ARGV[1])))`;

type AllowanceRedis = Redis & {
  reserveBytes(key: string, wanted: number, perDay: number, ttlMs: number): Promise<number>;
  giveBackBytes(key: string, unused: number): Promise<number>;
};

/** Bytes taken from one day's allowance; what the work did not use goes back with `settle`. */
export interface ByteReservation {
  /** Bytes the work may use: at most what was asked, less when the day's allowance is nearly used up. */
  readonly granted: number;
  /** False while Redis is down: nothing was counted (see `DailyByteAllowance`). */
  readonly counted: boolean;
  /** Seconds until the allowance starts again (the next UTC midnight). */
  readonly secondsUntilReset: number;
  /** Gives back what was granted but not used (`used` bytes were kept); call it exactly once. */
  settle(used: number): Promise<void>;
}

/**
 * A number of bytes per subject (a tenant) per UTC day, counted in Redis so that every replica shares
 * it: the bytes are reserved before the work (an anonymous upload) stores them, and what it did not
 * store is given back. While Redis is down nothing can be counted and the work goes ahead uncounted,
 * as the anonymous upload rate limits do: refusing would lose respondents' files during an outage
 * that the per-IP limits and `FILE_MAX_BYTES` still bound. A warning is logged every 10 s meanwhile.
 */
@Injectable()
export class DailyByteAllowance {
  private readonly logger = new Logger(DailyByteAllowance.name);
  private readonly redis: AllowanceRedis;
  private readonly prefix: string;
  private lastWarned = 0;

  constructor(config: AppConfigService, redis: SharedRedis) {
    this.prefix = `${config.queue.prefix}:bytes:`;
    this.redis = redis.client as AllowanceRedis;
    this.redis.defineCommand('reserveBytes', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    this.redis.defineCommand('giveBackBytes', { numberOfKeys: 1, lua: GIVE_BACK_SCRIPT });
  }

  /** Reserves up to `wanted` bytes of `subject`'s `perDay` for today (UTC); `granted` is 0 when none are left. */
  async reserve(
    name: string,
    subject: string,
    wanted: number,
    perDay: number,
    now = new Date(),
  ): Promise<ByteReservation> {
    const day = now.toISOString().slice(0, 10);
    const key = `${this.prefix}${name}:${subject}:${day}`;
    const secondsUntilReset = Math.max(1, Math.ceil((Date.parse(day) + DAY_MS - now.getTime()) / 1000));
    let granted: number;
    try {
      granted = await this.redis.reserveBytes(key, wanted, perDay, COUNTER_TTL_MS);
    } catch (error) {
      this.warn(name, 'bytes cannot be counted: allowed uncounted', error);
      return { granted: wanted, counted: false, secondsUntilReset, settle: async () => undefined };
    }
    return {
      granted,
      counted: true,
      secondsUntilReset,
      settle: async (used) => {
        const unused = granted - used;
        if (unused <= 0) return;
        // Not given back (Redis gone meanwhile): the day counts a little more than was stored, never less.
        await this.redis.giveBackBytes(key, unused).catch((error: unknown) => {
          this.warn(name, 'unused bytes could not be given back', error);
        });
      },
    };
  }

  /** Once every WARN_EVERY_MS: an outage under load must not write a line per request. */
  private warn(name: string, msg: string, error: unknown): void {
    if (Date.now() - this.lastWarned < WARN_EVERY_MS) return;
    this.lastWarned = Date.now();
    this.logger.warn({ msg, allowance: name, err: (error as Error).message });
  }
}
