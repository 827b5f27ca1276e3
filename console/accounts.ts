// Accounts, API tokens and the audit log, stored in ClickHouse with the rest (one database to
// back up). Users and tokens keep every change as a new version (ReplacingMergeTree(version));
// the highest version is current, read with argMax so unmerged rows never show twice. A token's
// secret is 32 random bytes: only its SHA-256 is stored (a slow hash buys nothing for a secret
// that long), compared in constant time.

import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { u64, lit } from '../analyzer/store/compat.js';
import type { Store } from '../analyzer/store/store.js';
import { insertRows } from '../analyzer/store/writes.js';
import type { RowOfTable } from '../schemas/tables.js';
import { isRole, type Role } from './roles.js';

export type UserRow = RowOfTable<'users'>;
export type TokenRow = RowOfTable<'api_tokens'>;
export type AuditRow = RowOfTable<'audit_log'>;

export interface User {
  name: string;
  role: Role;
  source: 'local' | 'oidc';
  disabled: boolean;
  password_hash: string;
  changed_at: number;
}

/** Login names: what a person or a directory would use, nothing that needs quoting. */
export function userNameProblem(name: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(name)
    ? null
    : 'letters, digits and . _ @ - only, starting with a letter or digit, at most 128';
}

const LATEST_USERS = (s: Store, where: string) =>
  `SELECT name, argMax(role, version) AS role, argMax(password_hash, version) AS password_hash,
          argMax(source, version) AS source, argMax(disabled, version) AS disabled, max(version) AS changed_at
     FROM ${s.table('users')} ${where} GROUP BY name ORDER BY name`;

function toUser(r: Record<string, unknown>): User {
  return {
    name: String(r.name),
    role: isRole(r.role) ? r.role : 'viewer',
    source: r.source === 'oidc' ? 'oidc' : 'local',
    disabled: Number(r.disabled) === 1,
    password_hash: String(r.password_hash),
    changed_at: u64(r.changed_at),
  };
}

export async function getUser(s: Store, name: string): Promise<User | null> {
  const rows = await s.select<Record<string, unknown>>('user', LATEST_USERS(s, `WHERE name = ${lit(name)}`));
  return rows.length ? toUser(rows[0]) : null;
}

export async function listUsers(s: Store): Promise<User[]> {
  return (await s.select<Record<string, unknown>>('users', LATEST_USERS(s, ''))).map(toUser);
}

/** Store a user's new version (time strictly after its previous one, so it wins). */
export async function putUser(s: Store, u: Omit<User, 'changed_at'>, previous?: User | null): Promise<User> {
  const version = Math.max(Date.now(), (previous?.changed_at ?? 0) + 1);
  await insertRows(s, 'users', [
    {
      name: u.name,
      role: u.role,
      password_hash: u.password_hash,
      source: u.source,
      disabled: u.disabled ? 1 : 0,
      version,
    },
  ]);
  return { ...u, changed_at: version };
}

export interface Token {
  token_id: string;
  user: string;
  label: string;
  role: Role;
  created_at: number;
  expires_at: number;
  revoked_at: number;
}

const TOKEN_RE = /^ph_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A new token: its id, and the whole token (shown once, never stored). */
export function newToken(): { token_id: string; token: string; secret_hash: string } {
  const token_id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token_id, token: `ph_${token_id}.${secret}`, secret_hash: sha256(secret) };
}

const LATEST_TOKENS = (s: Store, where: string) =>
  `SELECT token_id, argMax(secret_hash, version) AS secret_hash, argMax(user, version) AS user,
          argMax(label, version) AS label, argMax(role, version) AS role, argMax(created_at, version) AS created_at,
          argMax(expires_at, version) AS expires_at, argMax(revoked_at, version) AS revoked_at
     FROM ${s.table('api_tokens')} ${where} GROUP BY token_id ORDER BY created_at`;

function toToken(r: Record<string, unknown>): Token & { secret_hash: string } {
  return {
    token_id: String(r.token_id),
    secret_hash: String(r.secret_hash),
    user: String(r.user),
    label: String(r.label),
    role: isRole(r.role) ? r.role : 'viewer',
    created_at: u64(r.created_at),
    expires_at: u64(r.expires_at),
    revoked_at: u64(r.revoked_at),
  };
}

export async function putToken(s: Store, t: Token, secret_hash: string, version = Date.now()): Promise<void> {
  await insertRows(s, 'api_tokens', [{ ...t, secret_hash, version }]);
}

export async function listTokens(s: Store): Promise<Token[]> {
  return (await s.select<Record<string, unknown>>('tokens', LATEST_TOKENS(s, ''))).map((r) => {
    const { secret_hash: _, ...t } = toToken(r);
    return t;
  });
}

export async function getToken(s: Store, id: string): Promise<(Token & { secret_hash: string }) | null> {
  if (!/^[0-9a-f]{16}$/.test(id)) return null;
  const rows = await s.select<Record<string, unknown>>('token', LATEST_TOKENS(s, `WHERE token_id = ${lit(id)}`));
  return rows.length ? toToken(rows[0]) : null;
}

export type TokenCheck =
  | { ok: true; token: Token }
  | { ok: false; why: 'malformed' | 'unknown' | 'revoked' | 'expired' };

/** The token a bearer value names, if it is valid now. */
export async function checkToken(s: Store, bearer: string, now = Date.now()): Promise<TokenCheck> {
  const m = TOKEN_RE.exec(bearer);
  if (!m) return { ok: false, why: 'malformed' };
  const t = await getToken(s, m[1]);
  if (!t) return { ok: false, why: 'unknown' };
  const a = Buffer.from(t.secret_hash, 'hex');
  const b = Buffer.from(sha256(m[2]), 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, why: 'unknown' };
  if (t.revoked_at > 0) return { ok: false, why: 'revoked' };
  if (t.expires_at > 0 && t.expires_at <= now) return { ok: false, why: 'expired' };
  const { secret_hash: _, ...token } = t;
  return { ok: true, token };
}

/** One audit line. `detail` must never hold a secret (callers pass the fields they changed). */
export async function audit(
  s: Store,
  e: { actor: string; action: string; target: string; detail?: Record<string, unknown>; remote?: string },
): Promise<void> {
  await insertRows(s, 'audit_log', [
    {
      ts: Date.now(),
      actor: e.actor,
      action: e.action,
      target: e.target,
      detail: JSON.stringify(e.detail ?? {}),
      remote: e.remote ?? '',
      event_id: randomUUID(),
    },
  ]);
}

export async function auditLog(s: Store, limit: number, beforeTs?: number): Promise<AuditRow[]> {
  const where = beforeTs ? `WHERE ts < ${lit(beforeTs)}` : '';
  const rows = await s.select<AuditRow>(
    'audit log',
    `SELECT ts, actor, action, target, detail, remote, event_id FROM ${s.table('audit_log')} FINAL ${where}
      ORDER BY ts DESC LIMIT ${lit(limit)}`,
  );
  return rows.map((r) => ({ ...r, ts: u64(r.ts) }));
}
