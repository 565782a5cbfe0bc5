import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import { InvalidationChannel } from '../../infrastructure/cache/invalidation-channel.js';
import { MissedAnnouncements } from '../../infrastructure/cache/missed-announcements.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { AttemptCounter } from '../../infrastructure/rate-limit/attempt-counter.js';
import { RateLimitName } from '../../infrastructure/rate-limit/rate-limit-policies.js';
import { SharedRedis } from '../../infrastructure/redis/shared-redis.js';
import type { Actor } from '../../infrastructure/tenancy/tenant-context.js';
import { ApiKeySecret } from './api-key-secret.js';
import { ApiKeysRepository } from './api-keys.repository.js';

const CACHE_SIZE = 100_000;
/** `last_used_at` is written at most this often per key (the contract: once a minute). */
export const LAST_USED_EVERY_MS = 60_000;

interface KnownKey {
  api_key_id: string;
  tenant_id: string;
  role: string;
  created_by: string;
  expires_at: number | null;
  /** When a use was last recorded (as far as this replica knows). */
  last_used_at: number | null;
}

/** The tenant and caller an API key authenticates as. */
export interface ApiKeyCaller {
  tenantId: string;
  actor: Actor;
}

/**
 * Authenticates `Authorization: Bearer fbk_…` on every request. Keys are looked up by hash and cached
 * in process, as sessions are: a revocation drops the entry here and, over the Redis invalidation
 * channel, on every replica within milliseconds; while that channel cannot be shown to carry every
 * revocation (`InvalidationChannel.isLive`), the cache is bypassed and the store read each time.
 */
@Injectable()
export class ApiKeyVerifier implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyVerifier.name);
  /** By key hash; `missing` for a hash no key has. */
  private readonly known: LRUCache<string, KnownKey | 'missing'>;
  private readonly channel: InvalidationChannel;
  /** Moves on with every invalidation: a read that raced one must not be cached. */
  private generation = 0;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly attempts: AttemptCounter,
    config: AppConfigService,
    redis: SharedRedis,
    missed: MissedAnnouncements,
  ) {
    this.known = new LRUCache({ max: CACHE_SIZE, ttl: config.auth.sessionCacheTtlMs });
    this.channel = new InvalidationChannel(
      redis,
      `${config.queue.prefix}:api-keys-revoked`,
      { invalidate: (apiKeyId) => this.forget(apiKeyId), invalidateAll: () => this.forgetAll() },
      missed,
    );
  }

  onModuleInit(): void {
    this.channel.start();
  }

  onApplicationShutdown(): void {
    this.channel.close();
  }

  /** The key's tenant and caller; `401` for an unknown, revoked or expired key, `429` over its rate. */
  async authenticate(key: string): Promise<ApiKeyCaller> {
    const known = await this.lookup(ApiKeySecret.hash(key));
    if (known === 'missing') throw ApiError.unauthorized('Unknown or revoked API key');
    const now = Date.now();
    if (known.expires_at !== null && known.expires_at <= now) throw ApiError.unauthorized('The API key has expired');
    await this.attempts.count(RateLimitName.ApiKeyRequests, known.api_key_id);
    await this.recordUse(known, now);
    return {
      tenantId: known.tenant_id,
      actor: {
        user_id: null,
        role: known.role,
        api_key_id: known.api_key_id,
        api_key_created_by: known.created_by,
      },
    };
  }

  /** Call after the key's document was deleted: every replica stops taking it. */
  revoked(apiKeyId: string): Promise<void> {
    return this.channel.announce(apiKeyId);
  }

  private async lookup(hash: string): Promise<KnownKey | 'missing'> {
    const useCache = this.channel.isLive;
    const cached = useCache ? this.known.get(hash) : undefined;
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const stored = await this.keys.findByHash(hash);
    const known: KnownKey | 'missing' = stored
      ? {
          api_key_id: stored._id.toHexString(),
          tenant_id: stored.tenant_id,
          role: stored.role,
          created_by: stored.created_by,
          expires_at: stored.expires_at?.getTime() ?? null,
          last_used_at: stored.last_used_at?.getTime() ?? null,
        }
      : 'missing';
    if (useCache && generation === this.generation) this.known.set(hash, known);
    return known;
  }

  /** At most one write a minute per key: this replica remembers its own, the store's filter the others'. */
  private async recordUse(known: KnownKey, now: number): Promise<void> {
    if (known.last_used_at !== null && now - known.last_used_at < LAST_USED_EVERY_MS) return;
    known.last_used_at = now;
    try {
      await this.keys.touch(known.tenant_id, new Types.ObjectId(known.api_key_id), new Date(now), LAST_USED_EVERY_MS);
    } catch (error) {
      // Bookkeeping only: the request goes on.
      this.logger.warn({ msg: 'could not record an API key use', api_key_id: known.api_key_id, err: String(error) });
    }
  }

  private forget(apiKeyId: string): void {
    this.generation += 1;
    for (const [hash, known] of this.known.entries()) {
      if (known !== 'missing' && known.api_key_id === apiKeyId) this.known.delete(hash);
    }
  }

  private forgetAll(): void {
    this.generation += 1;
    this.known.clear();
  }
}
