import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminKeyCheck } from './admin-key-check.js';

/** Operator endpoints: `X-Admin-Key` must equal `ADMIN_API_KEY` (failures are rate-limited per client IP). */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly adminKey: AdminKeyCheck) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.adminKey.verify(request, [request.headers['x-admin-key']]);
    return true;
  }
}
