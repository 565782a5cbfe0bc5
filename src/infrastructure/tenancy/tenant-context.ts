import { Logger } from '@nestjs/common';
import { ClsServiceManager } from 'nestjs-cls';

/** What the request (or job) runs as, resolved once and kept in the CLS context. */
export interface TenantSettings {
  max_forms: number;
  max_responses_per_form: number;
  features: { workflows: boolean; ai_generation: boolean; webhooks: boolean };
  max_webhooks: number;
  /** Who may join: `invite_only` (an invitation) or `open` (anyone registers, as `signup_role`). */
  registration: 'invite_only' | 'open';
  signup_role: 'viewer' | 'editor';
  allowed_origins: string[];
  response_retention_days: number | null;
  /** Days spam is kept before the daily retention run erases it; null keeps it. */
  spam_retention_days: number | null;
}

export type TenantStatus = 'active' | 'suspended' | 'deleting';

export interface ResolvedTenant {
  tenant_id: string;
  name: string;
  /** `deleting`: suspended for good while its data is erased. */
  status: TenantStatus;
  settings: TenantSettings;
}

/**
 * Who calls: a member (a JWT: `user_id`) or an API key of the tenant (`api_key_id`, and `user_id`
 * null: a key acts for the tenant, not for the owner who made it).
 */
export interface Actor {
  user_id: string | null;
  role: string;
  api_key_id?: string;
  /** With `api_key_id`: the owner who made the key (what a key creates is theirs, e.g. a form's `owner_id`). */
  api_key_created_by?: string;
}

const TENANT_KEY = 'tenant';
const TENANT_ID_KEY = 'tenantId';
const ACTOR_KEY = 'actor';
const SYSTEM_SCOPE_KEY = 'systemScope';

/** Thrown when tenant-scoped code runs where no tenant was resolved: a bug, never a client error. */
export class MissingTenantContextError extends Error {
  constructor() {
    super('No tenant in the current context: resolve one, or wrap maintenance work in TenantContext.runAsSystem()');
  }
}

const logger = new Logger('TenantContext');

/**
 * The one accessor for "which tenant is this". Static because Mongoose hooks run outside Nest's DI;
 * backed by the request/job CLS context, so it never leaks between concurrent requests.
 */
export const TenantContext = {
  /** The current tenant id; throws rather than answering `undefined`. */
  tenantId(): string {
    const cls = ClsServiceManager.getClsService();
    const tenantId = cls.isActive() ? cls.get<string | undefined>(TENANT_ID_KEY) : undefined;
    if (!tenantId) throw new MissingTenantContextError();
    return tenantId;
  },

  /** The full resolved tenant (settings included) when the HTTP layer resolved one. */
  tenant(): ResolvedTenant {
    const cls = ClsServiceManager.getClsService();
    const tenant = cls.isActive() ? cls.get<ResolvedTenant | undefined>(TENANT_KEY) : undefined;
    if (!tenant) throw new MissingTenantContextError();
    return tenant;
  },

  actor(): Actor | undefined {
    const cls = ClsServiceManager.getClsService();
    return cls.isActive() ? cls.get<Actor | undefined>(ACTOR_KEY) : undefined;
  },

  /** True inside `runAsSystem`: tenant scoping is deliberately off. */
  isSystemScope(): boolean {
    const cls = ClsServiceManager.getClsService();
    return cls.isActive() && cls.get<boolean | undefined>(SYSTEM_SCOPE_KEY) === true;
  },

  /** Called by the HTTP tenant guard once it resolved the request's tenant. */
  enter(tenant: ResolvedTenant, actor?: Actor): void {
    const cls = ClsServiceManager.getClsService();
    cls.set(TENANT_KEY, tenant);
    cls.set(TENANT_ID_KEY, tenant.tenant_id);
    if (actor) cls.set(ACTOR_KEY, actor);
  },

  /**
   * Runs `work` as a tenant (jobs, event listeners), replacing any context around it. Given the whole
   * resolved tenant, `tenant()` answers inside too (its settings: quotas, features).
   */
  runForTenant<T>(tenant: string | ResolvedTenant, work: () => PromiseLike<T>, actor?: Actor): Promise<T> {
    const tenantId = typeof tenant === 'string' ? tenant : tenant.tenant_id;
    if (!tenantId) throw new MissingTenantContextError();
    const cls = ClsServiceManager.getClsService();
    // Awaited inside the context: a Mongoose query is lazy and would otherwise execute outside it.
    return cls.run({ ifNested: 'override' }, async () => {
      cls.set(TENANT_ID_KEY, tenantId);
      if (typeof tenant !== 'string') cls.set(TENANT_KEY, tenant);
      if (actor) cls.set(ACTOR_KEY, actor);
      return await work();
    });
  },

  /**
   * Runs `work` across all tenants (migrations, maintenance). Logged: it must be rare and deliberate;
   * a recurring, read-only scan (the event relay) logs at debug level.
   */
  runAsSystem<T>(reason: string, work: () => PromiseLike<T>, level: 'warn' | 'debug' = 'warn'): Promise<T> {
    logger[level]({ msg: 'entering system scope: tenant isolation off', reason });
    const cls = ClsServiceManager.getClsService();
    return cls.run({ ifNested: 'override' }, async () => {
      cls.set(SYSTEM_SCOPE_KEY, true);
      return await work();
    });
  },
};
