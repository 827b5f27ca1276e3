// The single sign-on keys: what console/config.ts accepts and refuses.

import { describe, expect, it } from 'vitest';
import { loadConsoleConfig } from '../../console/config.js';

const load = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  loadConsoleConfig({ env, flags: { 'console.oidc.clientId': 'porthole', ...flags } }).console.oidc;

function problem(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('console.oidc keys', () => {
  it('reads the issuer, scopes, claim and role mapping; the secret stays hidden', () => {
    const o = load(
      {
        'console.oidc.issuer': 'https://sso.example.com/realms/soc',
        'console.oidc.roles': 'soc-analysts=analyst, soc-admins=admin',
      },
      { PORTHOLE_CONSOLE_OIDC_CLIENT_SECRET: 'hunter2-secret' },
    );
    expect(o?.scopes).toEqual(['openid', 'profile', 'email']);
    expect(o?.roleClaim).toBe('roles');
    expect([...(o?.roles ?? [])]).toEqual([
      ['soc-analysts', 'analyst'],
      ['soc-admins', 'admin'],
    ]);
    expect(o?.clientSecret?.reveal()).toBe('hunter2-secret');
    expect(JSON.stringify(o)).not.toContain('hunter2');
  });

  it('allows plain http only for a loopback issuer', () => {
    expect(load({ 'console.oidc.issuer': 'http://127.0.0.1:9000' })?.issuer).toBe('http://127.0.0.1:9000');
    expect(load({ 'console.oidc.issuer': 'http://localhost:9000/realms/x' })?.issuer).toContain('localhost');
    expect(problem(() => load({ 'console.oidc.issuer': 'http://sso.example.com' }))).toContain(
      'console.oidc.issuer: https://',
    );
    expect(problem(() => load({ 'console.oidc.issuer': 'http://127.0.0.1.example.com' }))).toContain(
      'console.oidc.issuer',
    );
  });

  it('needs openid among the scopes and a role after each "="', () => {
    const issuer = 'https://sso.example.com';
    expect(problem(() => load({ 'console.oidc.issuer': issuer, 'console.oidc.scopes': 'profile' }))).toContain(
      'console.oidc.scopes: must include openid',
    );
    expect(problem(() => load({ 'console.oidc.issuer': issuer, 'console.oidc.roles': 'x=root' }))).toContain(
      'console.oidc.roles',
    );
  });
});
