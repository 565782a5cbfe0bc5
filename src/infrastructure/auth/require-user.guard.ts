import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiError } from '../http/api-error.js';
import { TenantContext } from '../tenancy/tenant-context.js';
import { hasRole, type Role } from './roles.js';

const REQUIRED_ROLE = 'requiredRole';

/**
 * Runs after the global tenant guard, which verified the token and put its user in the context:
 * here only "is there a user, and may that role do this" is left to decide.
 */
@Injectable()
export class RequireUserGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const actor = TenantContext.actor();
    if (!actor) throw ApiError.unauthorized('A bearer access token is required');
    const role = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (!hasRole(actor.role, role)) {
      throw ApiError.forbidden(`This action requires the ${role} role`);
    }
    return true;
  }
}

/** The route needs a signed-in user of at least `role` (401 without a token, 403 below the role). */
export const RequireUser = (role: Role = 'viewer') =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    UseGuards(RequireUserGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No or invalid bearer token (unauthorized)' }),
    ApiForbiddenResponse({ description: `Role below ${role} (forbidden), or tenant_mismatch` }),
  );
