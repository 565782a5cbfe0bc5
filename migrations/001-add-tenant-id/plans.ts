/**
 * What 001 does to each v1 collection, frozen here: the schemas will move on, a migration must not.
 * Which collections, the indexes it creates on them, the fields of their unique index (to find the
 * documents that would break it before anything changes), and what a v1 document needs besides its tenant.
 */
import { mongo } from 'mongoose';
import type { MigrationContext } from '../migration.js';

type Document = mongo.Document;

export interface IndexSpec {
  key: Record<string, 1 | -1>;
  unique?: boolean;
}

export interface CollectionPlan {
  name: string;
  indexes: IndexSpec[];
  /** The fields of a unique index, as they will read after the migration (for the duplicates check). */
  uniqueKey?: (document: Document, tenantId: string) => string;
  /** What a v1 document of this collection needs besides its tenant. */
  upgrade?: (document: Document, context: MigrationContext) => void;
}

const normalizeEmail = (email: unknown) => (typeof email === 'string' ? email.trim().toLowerCase() : email);
/** A value as text in a key: an ObjectId as its hex string. */
export const text = (value: unknown) => (value instanceof mongo.ObjectId ? value.toHexString() : String(value));

export const PLANS: CollectionPlan[] = [
  {
    name: 'users',
    indexes: [{ key: { tenant_id: 1, email: 1 }, unique: true }],
    uniqueKey: (user, tenantId) => `${tenantId} ${text(normalizeEmail(user.email))}`,
    upgrade: (user, context) => {
      user.email = normalizeEmail(user.email);
      user.role ??= context.settings.v1Role;
    },
  },
  {
    name: 'forms',
    indexes: [
      { key: { tenant_id: 1, slug: 1 }, unique: true },
      { key: { tenant_id: 1, created_at: -1, _id: -1 } },
      { key: { tenant_id: 1, status: 1, created_at: -1, _id: -1 } },
    ],
    uniqueKey: (form, tenantId) => `${tenantId} ${text(form.slug)}`,
  },
  {
    name: 'form_versions',
    indexes: [{ key: { tenant_id: 1, form_id: 1, version: -1 }, unique: true }],
    uniqueKey: (version, tenantId) => `${tenantId} ${text(version.form_id)} ${text(version.version)}`,
  },
  {
    name: 'form_responses',
    indexes: [
      { key: { tenant_id: 1, form_id: 1, created_at: -1, _id: -1 } },
      { key: { tenant_id: 1, form_id: 1, dedup_key: 1 }, unique: true },
    ],
    uniqueKey: (response, tenantId) =>
      `${tenantId} ${text(response.form_id)} ${text(response.dedup_key ?? `id:${text(response._id)}`)}`,
    upgrade: (response) => {
      response.dedup_key ??= `id:${text(response._id)}`;
    },
  },
  { name: 'files', indexes: [{ key: { tenant_id: 1, created_at: -1 } }] },
];
