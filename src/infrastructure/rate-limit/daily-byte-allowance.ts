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

/**
 * Bytes taken from one day's allowance as the work needs them (`take`), and what it did not use given
 * back at the end (`settle`). Taken step by step, so work that is slow to arrive (an upload trickling
 * in) holds little more than what it has actually received.
 */
export interface ByteReservation {
  /** Bytes granted so far: the work may use this many. */
  readonly granted: number;
  /** Seconds until the allowance starts again (the next UTC midnight). */
  readonly secondsUntilReset: number;
  /** Takes up to `wanted` more bytes; answers how many were granted (fewer, or 0, once the day's allowance is nearly used up). */
  take(wanted: number): Promise<number>;
  /** Gives back what was granted but not used (`used` bytes were kept); call it once, after the last `take`. */
  settle(used: number): Promise<void>;
}

/**
 * A number of bytes per subject (a tenant) per UTC day, counted in Redis so that every replica shares
 * it: the work (an anonymous upload) takes bytes before it stores them, and gives back at the end
 * what it did not store. While Redis is down nothing can be counted and the bytes are granted
 * uncounted, as the anonymous upload rate limits do: refusing would lose respondents' files during an
 * outage that the per-IP limits and `FILE_MAX_BYTES` still bound. A warning is logged every 10 s meanwhile.
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

  /**
   * A reservation against `subject`'s `perDay` for today (UTC), holding nothing yet: the work takes
   * bytes as it goes. Its bytes count on the day it was opened, even if it ends after midnight.
   */
  open(name: string, subject: string, perDay: number, now = new Date()): ByteReservation {
    const day = now.toISOString().slice(0, 10);
    const secondsUntilReset = Math.max(1, Math.ceil((Date.parse(day) + DAY_MS - now.getTime()) / 1000));
    return new DayReservation(
      this.redis,
      `${this.prefix}${name}:${subject}:${day}`,
      perDay,
      secondsUntilReset,
      (msg, error) => this.warn(name, msg, error),
    );
  }

  /** Once every WARN_EVERY_MS: an outage under load must not write a line per request. */
  private warn(name: string, msg: string, error: unknown): void {
    if (Date.now() - this.lastWarned < WARN_EVERY_MS) return;
    this.lastWarned = Date.now();
    this.logger.warn({ msg, allowance: name, err: (error as Error).message });
  }
}

/** One piece of work's bytes of one day's counter (see `ByteReservation`). */
class DayReservation implements ByteReservation {
  granted = 0;
  /** Of `granted`, the bytes Redis counted; the rest was granted uncounted while it was down. */
  private counted = 0;

  constructor(
    private readonly redis: AllowanceRedis,
    private readonly key: string,
    private readonly perDay: number,
    readonly secondsUntilReset: number,
    private readonly warn: (msg: string, error: unknown) => void,
  ) {}

  async take(wanted: number): Promise<number> {
    let got: number;
    try {
      got = await this.redis.reserveBytes(this.key, wanted, this.perDay, COUNTER_TTL_MS);
      this.counted += got;
    } catch (error) {
      this.warn('bytes cannot be counted: allowed uncounted', error);
      got = wanted;
    }
    this.granted += got;
    return got;
  }

  async settle(used: number): Promise<void> {
    // The day keeps the bytes stored, up to those it counted (bytes granted uncounted stay uncounted).
    const unused = this.counted - Math.min(used, this.counted);
    this.counted = 0;
    if (unused <= 0) return;
    // Not given back (Redis gone meanwhile): the day counts a little more than was stored, never less.
    await this.redis.giveBackBytes(this.key, unused).catch((error: unknown) => {
      this.warn('unused bytes could not be given back', error);
    });
  }
}
