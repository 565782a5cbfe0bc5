export const ROLES = ['viewer', 'editor', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** Roles are ordered: each one may do everything the roles before it may. */
export function hasRole(actual: string, required: Role): boolean {
  const rank = ROLES.indexOf(actual as Role);
  return rank >= 0 && rank >= ROLES.indexOf(required);
}
