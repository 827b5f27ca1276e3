// The role and the account name a single sign-on grants, from ID token claims.

import { describe, expect, it } from 'vitest';
import { accountNameOf, claimValues, roleOf } from '../../console/oidc-claims.js';
import type { Role } from '../../console/roles.js';

const MAP = new Map<string, Role>([
  ['soc-analysts', 'analyst'],
  ['soc-admins', 'admin'],
  ['admin', 'viewer'],
]);

describe('claimValues', () => {
  it('reads a string or the strings of a list', () => {
    expect(claimValues({ roles: 'soc-analysts' }, 'roles')).toEqual(['soc-analysts']);
    expect(claimValues({ roles: ['a', 3, 'b', null] }, 'roles')).toEqual(['a', 'b']);
    expect(claimValues({ roles: { a: 1 } }, 'roles')).toEqual([]);
    expect(claimValues({}, 'roles')).toEqual([]);
  });

  it('takes a name with dots as given first, else as a path into objects', () => {
    expect(claimValues({ 'https://example.com/roles': ['x'] }, 'https://example.com/roles')).toEqual(['x']);
    expect(claimValues({ realm_access: { roles: ['x', 'y'] } }, 'realm_access.roles')).toEqual(['x', 'y']);
    expect(claimValues({ realm_access: 'flat' }, 'realm_access.roles')).toEqual([]);
  });
});

describe('roleOf', () => {
  it('maps each value and keeps the highest role', () => {
    expect(roleOf(['soc-analysts'], MAP)).toBe('analyst');
    expect(roleOf(['soc-analysts', 'soc-admins', 'other'], MAP)).toBe('admin');
  });

  it('maps a value equal to a role name to that role unless the mapping says otherwise', () => {
    expect(roleOf(['analyst'], MAP)).toBe('analyst');
    expect(roleOf(['admin'], MAP)).toBe('viewer');
  });

  it('gives null when no value maps', () => {
    expect(roleOf(['guests'], MAP)).toBeNull();
    expect(roleOf([], MAP)).toBeNull();
  });
});

describe('accountNameOf', () => {
  it('uses preferred_username, then email, then sub, skipping names an account cannot have', () => {
    expect(accountNameOf({ sub: 's1', email: 'a@example.com', preferred_username: 'alice' })).toBe('alice');
    expect(accountNameOf({ sub: 's1', email: 'a@example.com', preferred_username: 'Alice Smith' })).toBe(
      'a@example.com',
    );
    expect(accountNameOf({ sub: 'f3a9-11' })).toBe('f3a9-11');
    expect(accountNameOf({ sub: 'has space' })).toBeNull();
  });
});
