import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import { type AccessTokenClaims, AccessTokenService } from '../../infrastructure/auth/access-token.service.js';
import { InvalidationChannel } from '../../infrastructure/cache/invalidation-channel.js';
import { MissedAnnouncements } from '../../infrastructure/cache/missed-announcements.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { isObjectIdHex } from '../../infrastructure/database/mongo-values.js';
import { SharedRedis } from '../../infrastructure/redis/shared-redis.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import type { UserRecord } from './users.repository.js';
import { UsersRepository } from './users.repository.js';

const CACHE_SIZE = 100_000;

/**
 * Access tokens that can be taken back. A token carries its user's token version; revoking moves the
 * version on, so every earlier token stops working. Checking is on every authenticated request, so
 * versions are cached in process; a revocation drops the entry here and, over Redis pub/sub, on every
 * replica within milliseconds. While that channel is down, or cannot be shown to carry every
 * revocation (see `InvalidationChannel.isLive`), the cache is bypassed: a replica that cannot hear
 * revocations reads the version from the store each time.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnApplicationShutdown {
  private readonly versions: LRUCache<string, number | 'missing'>;
  private readonly channel: InvalidationChannel;
  /** Moves on with every invalidation: a read that raced one must not be cached. */
  private generation = 0;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: AccessTokenService,
    config: AppConfigService,
    redis: SharedRedis,
    missed: MissedAnnouncements,
  ) {
    this.versions = new LRUCache({ max: CACHE_SIZE, ttl: config.auth.sessionCacheTtlMs });
    this.channel = new InvalidationChannel(
      redis,
      `${config.queue.prefix}:sessions-revoked`,
      {
        invalidate: (key) => {
          this.generation += 1;
          this.versions.delete(key);
        },
        invalidateAll: () => {
          this.generation += 1;
          this.versions.clear();
        },
      },
      missed,
    );
  }

  onModuleInit(): void {
    this.channel.start();
  }

  onApplicationShutdown(): void {
    this.channel.close();
  }

  /** A token for this user of the current tenant, valid until it expires or the user's sessions are revoked. */
  issue(user: Pick<UserRecord, '_id' | 'role' | 'token_version'>): Promise<string> {
    return this.tokens.sign({
      sub: user._id.toHexString(),
      tenant_id: TenantContext.tenantId(),
      role: user.role,
      ver: user.token_version ?? 0,
    });
  }

  /** Whether the token's user still exists in the current tenant and its sessions were not revoked since. */
  async isCurrent(claims: AccessTokenClaims): Promise<boolean> {
    if (!isObjectIdHex(claims.sub)) return false;
    const version = await this.currentVersion(claims.sub);
    return version === claims.ver;
  }

  /** Call after the store change that revoked the sessions (version moved on, or user removed). */
  revoked(userId: string): Promise<void> {
    return this.channel.announce(this.key(userId));
  }

  private async currentVersion(userId: string): Promise<number | 'missing'> {
    const key = this.key(userId);
    const useCache = this.channel.isLive;
    const cached = useCache ? this.versions.get(key) : undefined;
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const version = (await this.users.tokenVersion(new Types.ObjectId(userId))) ?? 'missing';
    if (useCache && generation === this.generation) this.versions.set(key, version);
    return version;
  }

  private key(userId: string): string {
    return `${TenantContext.tenantId()}:${userId}`;
  }
}
