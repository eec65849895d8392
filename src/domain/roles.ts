/** Who may run what. `public` commands answer anyone, even a caller no owner has linked yet. */
export const ROLES = ['viewer', 'trader', 'owner'] as const;
export type Role = (typeof ROLES)[number];
export type RequiredRole = Role | 'public';

const rank: Record<RequiredRole, number> = { public: 0, viewer: 1, trader: 2, owner: 3 };

export function roleAllows(callerRole: Role | undefined, needed: RequiredRole): boolean {
  return rank[callerRole ?? 'public'] >= rank[needed];
}
