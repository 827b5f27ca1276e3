// What a single sign-on grants: the account name and the role read from the ID token's claims.
// The role claim holds a string or a list of strings; each value maps through console.oidc.roles
// (an explicit entry wins; a value equal to a role name maps to that role) and the highest role
// mapped wins. No mapped value means no access: an identity the provider knows is not, by that
// alone, someone who may see the inventory.

import { userNameProblem } from './accounts.js';
import { ROLES, type Role, isRole } from './roles.js';

/** The claims the login reads, in the order they name the account. */
export const NAME_CLAIMS = ['preferred_username', 'email', 'sub'] as const;

/**
 * The values of a claim: its name as given first (providers use names with dots, such as
 * namespaced URLs), else a dotted path into nested objects. Non-string entries are ignored.
 */
export function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  let v: unknown = claims[claim];
  if (v === undefined && claim.includes('.')) {
    v = claims;
    for (const part of claim.split('.'))
      v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  }
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The highest role the values map to, or null when none maps. */
export function roleOf(values: string[], mapping: ReadonlyMap<string, Role>): Role | null {
  let best: Role | null = null;
  for (const v of values) {
    const r = mapping.get(v) ?? (isRole(v) ? v : undefined);
    if (r && (best === null || ROLES.indexOf(r) > ROLES.indexOf(best))) best = r;
  }
  return best;
}

/** The account name: the first of NAME_CLAIMS that is a valid account name, or null. */
export function accountNameOf(claims: Record<string, unknown>): string | null {
  for (const c of NAME_CLAIMS) {
    const v = claims[c];
    if (typeof v === 'string' && userNameProblem(v) === null) return v;
  }
  return null;
}
