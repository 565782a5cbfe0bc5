// Types for the plain-JavaScript seeding tool, which tests import.
import type { mongo } from 'mongoose';

export const LEGACY_PASSWORD: string;

export type LegacyCounts = Record<'users' | 'forms' | 'form_versions' | 'form_responses' | 'files', number>;

export function legacyCounts(docs: number): LegacyCounts;

export function seedLegacy(db: mongo.Db, options: { docs: number; withDuplicates?: boolean }): Promise<LegacyCounts>;
