import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { type AccessTokenClaims, AccessTokenService } from '../../infrastructure/auth/access-token.service.js';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { type Actor, TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { TENANT_FROM_QUERY } from '../../infrastructure/tenancy/tenant-from-query.decorator.js';
import { WITHOUT_TENANT } from '../../infrastructure/tenancy/without-tenant.decorator.js';
import { ApiKeySecret, ApiKeyVerifier } from '../api-keys/index.js';
import { SessionsService } from '../users/index.js';
import { TenantResolver } from './tenant-resolver.js';
import { TENANT_ID_PATTERN } from './tenant.schema.js';

/**
 * Decides every request's tenant, as the contract says: a valid bearer token's `tenant_id` first
 * (an `X-Tenant-ID` that differs is refused), then `X-Tenant-ID`, then the default tenant (unless
 * isolation is enforced). The result goes into the CLS context for everything after it. A token
 * must also still be current (its user exists and its sessions were not revoked: `SessionsService`).
 * A bearer API key (`fbk_…`) decides the tenant as a token does, and runs as the key (`ApiKeyVerifier`).
 */
@Injectable()
export class TenantResolutionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
    private readonly resolver: TenantResolver,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeyVerifier,
    private readonly config: AppConfigService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(WITHOUT_TENANT, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const fromQuery = this.reflector.getAllAndOverride<boolean>(TENANT_FROM_QUERY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const { tenantId, claims, keyActor } = await this.identify(request, fromQuery === true);
    if (!TENANT_ID_PATTERN.test(tenantId)) {
      throw new ApiError(HttpStatus.NOT_FOUND, ErrorCode.TenantNotFound, 'Tenant not found');
    }
    const actor: Actor | undefined = keyActor ?? (claims && { user_id: claims.sub, role: claims.role });
    TenantContext.enter(await this.resolver.resolve(tenantId), actor);
    // Inside the tenant: the user is looked up there. A removed user's or a revoked token is no token.
    if (claims && !(await this.sessions.isCurrent(claims))) {
      throw ApiError.unauthorized('The access token was revoked');
    }
    return true;
  }

  private async identify(
    request: FastifyRequest,
    fromQuery: boolean,
  ): Promise<{ tenantId: string; claims?: AccessTokenClaims; keyActor?: Actor }> {
    const header = singleValue(request.headers['x-tenant-id']);
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined && ApiKeySecret.isApiKey(token)) {
      const { tenantId, actor } = await this.apiKeys.authenticate(token);
      assertSameTenant(header, tenantId, 'the API key');
      return { tenantId, keyActor: actor };
    }
    if (token !== undefined) {
      const claims = await this.tokens.verify(token);
      if (!claims) throw ApiError.unauthorized('Invalid or expired access token');
      assertSameTenant(header, claims.tenant_id, 'the access token');
      return { tenantId: claims.tenant_id, claims };
    }
    if (header !== undefined) return { tenantId: header };
    // A web page's form names its tenant in the action URL: ignored wherever a token or the header decides.
    const query = fromQuery
      ? singleValue((request.query as Record<string, string | string[]> | undefined)?.tenant)
      : undefined;
    if (query !== undefined) return { tenantId: query };
    if (this.config.tenancy.isolationEnabled) {
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        ErrorCode.TenantRequired,
        'Send an X-Tenant-ID header or an access token',
      );
    }
    return { tenantId: this.config.tenancy.defaultTenantId };
  }
}

/** A credential decides the tenant: an `X-Tenant-ID` naming another one is refused. */
function assertSameTenant(header: string | undefined, tenantId: string, credential: string): void {
  if (header !== undefined && header !== tenantId) {
    throw new ApiError(HttpStatus.FORBIDDEN, ErrorCode.TenantMismatch, `X-Tenant-ID does not match ${credential}`);
  }
}

function singleValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value ? value.trim() || undefined : undefined;
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (authorization && !match) throw ApiError.unauthorized('Authorization must be "Bearer <token>"');
  return match?.[1];
}
