import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfigService } from '../../infrastructure/config/app-config.service.js';
import { isDuplicateKeyError } from '../../infrastructure/database/mongo-values.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService, EventEntitiesService, EventType } from '../events/index.js';
import { type InvitationRecord, type InvitationRequest, InvitationsService } from '../invitations/index.js';
import type { CreateTenantDto } from './dto/create-tenant.dto.js';
import type { UpdateOwnTenantDto } from './dto/update-own-tenant.dto.js';
import type { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { TenantCacheSync } from './tenant-cache-sync.js';
import { type TenantRecord, TenantsRepository } from './tenants.repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class TenantsService implements OnModuleInit {
  private readonly logger = new Logger(TenantsService.name);

  constructor(
    private readonly tenants: TenantsRepository,
    private readonly cacheSync: TenantCacheSync,
    private readonly invitations: InvitationsService,
    private readonly config: AppConfigService,
    private readonly events: EventDispatcherService,
    private readonly entities: EventEntitiesService,
  ) {}

  onModuleInit(): void {
    // A deletion happened when the tenant is `deleting` since the event, or erased already.
    this.entities.registerDeletion([EventType.TenantDeleted], async (ids) => {
      const states = new Map<string, Date | null>();
      for (const id of ids) {
        const tenant = await this.tenants.findById(id);
        if (tenant) states.set(id, tenant.status === 'deleting' ? tenant.updated_at : null);
      }
      return states;
    });
  }

  /**
   * v1 clients send no tenant: the default one must always exist. `DEFAULT_TENANT_REGISTRATION`, when
   * set, decides who may join it (v1 installations whose clients register themselves set `open`).
   */
  async ensureDefaultTenant(): Promise<void> {
    const { defaultTenantId, defaultTenantRegistration } = this.config.tenancy;
    await this.tenants.ensureExists(defaultTenantId, 'Default tenant');
    if (defaultTenantRegistration) {
      await this.tenants.update(defaultTenantId, { settings: { registration: defaultTenantRegistration } });
      await this.cacheSync.tenantChanged(defaultTenantId);
    }
    this.logger.log({
      msg: 'default tenant ready',
      tenant_id: defaultTenantId,
      registration: defaultTenantRegistration,
    });
  }

  /** Creates the tenant and, when an owner is named, emails them an owner invitation. */
  async create(input: CreateTenantDto): Promise<{ tenant: TenantRecord; ownerInvitation?: InvitationRecord }> {
    const tenant = await this.insert(input);
    if (!input.owner) return { tenant };
    const ownerInvitation = await this.invite(tenant.tenant_id, { ...input.owner, role: 'owner' });
    return { tenant, ownerInvitation };
  }

  /** An operator's invitation into a tenant (e.g. a new owner): emailed like an owner's. */
  async invite(tenantId: string, request: InvitationRequest): Promise<InvitationRecord> {
    const tenant = await this.getChangeable(tenantId);
    return TenantContext.runForTenant(tenant, () => this.invitations.invite(request));
  }

  /** The operator's way without email (the CLI): the accept link is printed, not sent. */
  async inviteWithLink(tenantId: string, request: InvitationRequest) {
    const tenant = await this.get(tenantId);
    return TenantContext.runForTenant(tenant, () => this.invitations.inviteWithLink(request));
  }

  list(): Promise<TenantRecord[]> {
    return this.tenants.list();
  }

  async get(tenantId: string): Promise<TenantRecord> {
    const tenant = await this.tenants.findById(tenantId);
    if (!tenant) throw ApiError.notFound('Tenant');
    return tenant;
  }

  async update(tenantId: string, changes: UpdateTenantDto | UpdateOwnTenantDto): Promise<TenantRecord> {
    await this.getChangeable(tenantId);
    const updated = await this.tenants.update(tenantId, changes);
    if (!updated) throw ApiError.notFound('Tenant');
    await this.cacheSync.tenantChanged(tenantId);
    return updated;
  }

  /**
   * Suspends the tenant for good (`status: "deleting"`, on every replica at once) and announces it
   * with `tenant.deleted` (internal, durable like every event): the erasure module erases all its data
   * and then its record (src/modules/erasure/). Answers the tenant as it is now. Asking again (an
   * erasure that failed) announces it again.
   */
  async delete(tenantId: string): Promise<TenantRecord> {
    if (tenantId === this.config.tenancy.defaultTenantId) {
      throw ApiError.conflict('The default tenant serves clients that name no tenant; it cannot be deleted');
    }
    const tenant = await this.get(tenantId);
    const deleting = await TenantContext.runForTenant(tenant, () =>
      this.events.emitWith({
        type: EventType.TenantDeleted,
        entityId: tenantId,
        payload: { tenant_id: tenantId },
        write: () => this.tenants.update(tenantId, { status: 'deleting' }),
        happened: (updated) => updated !== null,
      }),
    );
    if (!deleting) throw ApiError.notFound('Tenant');
    await this.cacheSync.tenantChanged(tenantId);
    this.logger.log({ msg: 'tenant deletion requested', tenant_id: tenantId });
    return deleting;
  }

  /**
   * The last step of a tenant's erasure: its id is held back from new tenants for
   * `DELETED_TENANT_ID_HOLD_DAYS` (before the record goes, so no moment is left when neither
   * stops a creation), then its record, and every replica's cached copy of it.
   */
  async removeDeleting(tenantId: string): Promise<boolean> {
    await this.tenants.holdDeletedId(
      tenantId,
      new Date(Date.now() + this.config.erasure.deletedTenantIdHoldDays * DAY_MS),
    );
    const removed = await this.tenants.removeDeleting(tenantId);
    await this.cacheSync.tenantChanged(tenantId);
    return removed;
  }

  /** The tenant, or null (whatever its status). */
  async find(tenantId: string): Promise<TenantRecord | null> {
    return this.tenants.findById(tenantId);
  }

  /** Tenants left `deleting` (an erasure cut short, or never queued). */
  idsDeleting(): Promise<string[]> {
    return this.tenants.idsDeleting();
  }

  /** The request's own tenant, for its members. */
  current(): Promise<TenantRecord> {
    return this.get(TenantContext.tenantId());
  }

  /** What an owner may change of their own tenant (the DTO leaves quotas, features and status out). */
  updateCurrent(changes: UpdateOwnTenantDto): Promise<TenantRecord> {
    return this.update(TenantContext.tenantId(), changes);
  }

  private async insert(input: CreateTenantDto): Promise<TenantRecord> {
    if (await this.tenants.findById(input.tenant_id)) throw this.conflict(input.tenant_id);
    const heldUntil = await this.tenants.deletedIdHeldUntil(input.tenant_id);
    if (heldUntil) {
      throw ApiError.conflict(
        `Tenant id '${input.tenant_id}' belonged to a deleted tenant; it can be used again from ${heldUntil.toISOString()}`,
      );
    }
    try {
      return await this.tenants.create({
        tenant_id: input.tenant_id,
        name: input.name,
        settings: { ...input.settings },
      });
    } catch (error) {
      // Two creations racing: the unique index decides, the loser gets the same answer.
      if (isDuplicateKeyError(error)) throw this.conflict(input.tenant_id);
      throw error;
    }
  }

  /** A tenant being deleted takes no changes and no new members. */
  private async getChangeable(tenantId: string): Promise<TenantRecord> {
    const tenant = await this.get(tenantId);
    if (tenant.status === 'deleting') {
      throw ApiError.conflict(`Tenant '${tenantId}' is being deleted`);
    }
    return tenant;
  }

  private conflict(tenantId: string): ApiError {
    return ApiError.conflict(`Tenant '${tenantId}' already exists`);
  }
}
