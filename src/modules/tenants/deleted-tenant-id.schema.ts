import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * `deleted_tenant_ids`: the id of each erased tenant, held back from new tenants until `reusable_from`
 * (`DELETED_TENANT_ID_HOLD_DAYS`), so whatever a straggler wrote under it after the erasure can never
 * belong to a new tenant. Global like the registry: keyed by the id itself, it carries no `tenant_id`
 * (so no erasure of that tenant removes it).
 */
@Schema({ collection: 'deleted_tenant_ids', versionKey: false })
export class DeletedTenantId {
  /** The tenant id. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) deleted_at!: Date;
  @Prop({ required: true }) reusable_from!: Date;
}

export const DeletedTenantIdSchema = SchemaFactory.createForClass(DeletedTenantId);
