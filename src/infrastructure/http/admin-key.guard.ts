import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfigService } from '../config/app-config.service.js';
import { ApiError } from './api-error.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Operator endpoints: `X-Admin-Key` must equal `ADMIN_API_KEY` (compared in constant time). */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfigService) {
    this.expected = digest(config.auth.adminApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const given = context.switchToHttp().getRequest<FastifyRequest>().headers['x-admin-key'];
    // Hashing first makes both sides the same length, so the comparison leaks nothing about the key.
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), this.expected)) {
      throw ApiError.unauthorized('A valid X-Admin-Key header is required');
    }
    return true;
  }
}
