import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiError } from '../http/api-error.js';
import { TenantContext } from '../tenancy/tenant-context.js';
import { hasRole, type Role } from './roles.js';

const REQUIRED_ROLE = 'requiredRole';
const MEMBERS_ONLY = 'membersOnly';

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
    if (actor.api_key_id && this.reflector.getAllAndOverride<boolean>(MEMBERS_ONLY, [context.getHandler()])) {
      throw ApiError.forbidden("This action needs a member's access token, not an API key");
    }
    const role = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (!hasRole(actor.role, role)) {
      throw ApiError.forbidden(`This action requires the ${role} role`);
    }
    return true;
  }
}

export interface RequireUserOptions {
  /**
   * False for routes about the calling member (their profile, password, sessions) and for API-key
   * management: an API key gets `403 forbidden` there. Every other route takes a key of the role.
   */
  apiKeys?: boolean;
}

/**
 * The route needs a caller of at least `role`: a signed-in member or an API key of the tenant (401
 * without a token, 403 below the role).
 */
export const RequireUser = (role: Role = 'viewer', options: RequireUserOptions = {}) =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    SetMetadata(MEMBERS_ONLY, options.apiKeys === false),
    UseGuards(RequireUserGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No or invalid bearer token (unauthorized)' }),
    ApiForbiddenResponse({
      description:
        `Role below ${role} (forbidden), or tenant_mismatch` +
        (options.apiKeys === false ? '; an API key (forbidden): this route needs a JWT' : ''),
    }),
  );
