import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfigService } from '../config/app-config.service.js';
import { ApiError } from './api-error.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** A constant-time check against `adminApiKey`: hashing first makes both sides the same length. */
export function adminKeyMatcher(adminApiKey: string): (given: unknown) => boolean {
  const expected = digest(adminApiKey);
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected);
}

/** Operator endpoints: `X-Admin-Key` must equal `ADMIN_API_KEY`. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly matches: (given: unknown) => boolean;

  constructor(config: AppConfigService) {
    this.matches = adminKeyMatcher(config.auth.adminApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.matches(context.switchToHttp().getRequest<FastifyRequest>().headers['x-admin-key'])) {
      throw ApiError.unauthorized('A valid X-Admin-Key header is required');
    }
    return true;
  }
}
