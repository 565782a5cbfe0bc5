import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import type { Role } from '../../infrastructure/auth/roles.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { ApiKeySecret } from './api-key-secret.js';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { type ApiKeyRecord, ApiKeysRepository } from './api-keys.repository.js';

/** The contract's cap on a tenant's keys. */
export const MAX_API_KEYS_PER_TENANT = 50;

export interface NewApiKey {
  name: string;
  role: Role;
  expires_at?: Date | null;
}

/** A tenant's API keys, managed by its owners (with a JWT: the controller refuses keys). */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly verifier: ApiKeyVerifier,
  ) {}

  /** Makes a key; the answer holds the key itself, which is never shown again. */
  async create(request: NewApiKey): Promise<{ record: ApiKeyRecord; key: string }> {
    this.assertFutureExpiry(request.expires_at);
    if ((await this.keys.count()) >= MAX_API_KEYS_PER_TENANT) throw quotaExceeded();
    const minted = ApiKeySecret.mint();
    const record = await this.keys.create({
      name: request.name,
      role: request.role,
      prefix: minted.prefix,
      key_hash: minted.hash,
      expires_at: request.expires_at ?? null,
      created_by: TenantContext.actor()?.user_id ?? '',
    });
    // Counted again after the insert: two creations racing at 49 cannot both stay.
    if ((await this.keys.count()) > MAX_API_KEYS_PER_TENANT) {
      await this.keys.remove(record._id);
      throw quotaExceeded();
    }
    return { record, key: minted.key };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.keys.list();
  }

  /** Deletes the key; every replica refuses it within a second. Another tenant's key: 404. */
  async revoke(id: Types.ObjectId): Promise<void> {
    if (!(await this.keys.remove(id))) throw ApiError.notFound('API key');
    await this.verifier.revoked(id.toHexString());
  }

  private assertFutureExpiry(expiresAt: Date | null | undefined): void {
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw ApiError.validation([{ field: 'expires_at', message: 'must be in the future' }]);
    }
  }
}

function quotaExceeded(): ApiError {
  return ApiError.quotaExceeded(`A tenant has at most ${MAX_API_KEYS_PER_TENANT} API keys`);
}
