// Secrets never reach a log or the audit log: a real `porthole console` (debug logging, JSON
// lines) and `porthole users add` see a password on stdin, failed and good logins, a token made
// and used, a password change; neither password, nor the token, nor its secret part is in
// anything they printed or stored in audit_log.

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CH_URL, chQuery, dropDb, randomDb } from '../support/clickhouse.js';
import { BIN } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';

const db = randomDb();
const PASSWORD = 'first-Password-kept-secret-7';
const NEW_PASSWORD = 'second-Password-kept-secret-8';
const WRONG = 'wrong-Password-never-logged-9';
const PORT = 19_000 + (process.pid % 500);
const base = `http://127.0.0.1:${PORT}`;
let con: PortholeProc;
let usersOut = '';

beforeAll(async () => {
  const add = spawnSync(
    process.execPath,
    [BIN, 'users', 'add', 'root-admin', '--role', 'admin', '--clickhouse', CH_URL, '--database', db],
    {
      input: `${PASSWORD}\n`,
      encoding: 'utf8',
    },
  );
  usersOut = add.stdout + add.stderr;
  expect(add.status, usersOut).toBe(0);
  con = startPorthole(['console', '--clickhouse', CH_URL, '--database', db, '--listen', `127.0.0.1:${PORT}`], {
    PORTHOLE_LOG_LEVEL: 'trace',
    PORTHOLE_LOG_FORMAT: 'json',
    PORTHOLE_CONSOLE_METRICS_LISTEN: 'off',
  });
  await con.waitFor((l) => l.msg === 'console listening', 20_000);
}, 40_000);

afterAll(async () => {
  await con?.stop('SIGTERM');
  await dropDb(db);
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: path.startsWith('/api/v1/users/') ? 'PATCH' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('secrets in logs', () => {
  it('neither passwords nor tokens appear in the logs or the audit log', async () => {
    expect((await post('/api/v1/session', { name: 'root-admin', password: WRONG })).status).toBe(401);
    const login = await post('/api/v1/session', { name: 'root-admin', password: PASSWORD });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const { csrf } = (await login.json()) as { csrf: string };
    const s = { cookie, 'x-csrf-token': csrf };
    const made = await post('/api/v1/tokens', { label: 'ci', role: 'viewer' }, s);
    expect(made.status).toBe(201);
    const { token } = (await made.json()) as { token: string };
    const secretPart = token.slice(token.indexOf('.') + 1);
    expect((await fetch(`${base}/api/v1/alerts`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // a token with one character changed: refused, and not echoed either
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await fetch(`${base}/api/v1/alerts`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    expect((await post('/api/v1/users/root-admin', { password: NEW_PASSWORD }, s)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const audit = await chQuery<Record<string, string>>(`SELECT * FROM ${db}.audit_log`);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['login_failed', 'login', 'token.add', 'user.change']),
    );
    const printed = `${usersOut}\n${JSON.stringify(con.logs)}\n${con.stderr.join('')}\n${JSON.stringify(audit)}`;
    expect(con.logs.length).toBeGreaterThan(1); // the logs were read
    for (const secret of [PASSWORD, NEW_PASSWORD, WRONG, token, secretPart, forged])
      expect(printed.includes(secret), `a secret was printed: ${secret.slice(0, 6)}…`).toBe(false);
  });
});
