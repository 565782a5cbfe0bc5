import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { secretMatcher } from '../auth/secret-matcher.js';
import { AppConfigService } from '../config/app-config.service.js';
import { ApiError } from './api-error.js';

/** Operator endpoints: `X-Admin-Key` must equal `ADMIN_API_KEY`. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly matches: (given: unknown) => boolean;

  constructor(config: AppConfigService) {
    this.matches = secretMatcher(config.auth.adminApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.matches(context.switchToHttp().getRequest<FastifyRequest>().headers['x-admin-key'])) {
      throw ApiError.unauthorized('A valid X-Admin-Key header is required');
    }
    return true;
  }
}
