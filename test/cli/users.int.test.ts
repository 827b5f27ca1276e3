// `porthole users`: every argument and the password are checked before ClickHouse is touched
// (a refused command creates nothing), only `add` may create the database, extra arguments are
// refused, and every change is in the audit log as made from the command line.

import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CH_URL, chQuery, dropDb, randomDb } from '../support/clickhouse.js';
import { BIN } from '../support/porthole.js';

const db = randomDb();
afterAll(() => dropDb(db));

function users(args: string[], input = '') {
  const r = spawnSync(process.execPath, [BIN, 'users', ...args, '--clickhouse', CH_URL, '--database', db], {
    input,
    encoding: 'utf8',
    env: { ...process.env, USER: 'tester' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dbExists = async () =>
  (await chQuery<{ c: string }>(`SELECT toString(count()) AS c FROM system.databases WHERE name = '${db}'`))[0].c ===
  '1';

describe('porthole users', () => {
  it('refuses bad input with one line, exit 2, and creates nothing', async () => {
    for (const [args, input, msg] of [
      [['add', 'ann', '--role', 'viewer'], 'short\n', /password: at least 10 characters; nothing changed/],
      [['add', 'ann', '--role', 'viewer'], '', /no password on standard input/],
      [['add', 'Bad', 'Name', '--role', 'viewer'], 'long enough password\n', /unexpected "Name"/],
      [['add', 'ann', '--role', 'root'], 'long enough password\n', /--role must be one of viewer, analyst, admin/],
      [['disable', 'ann', '--role', 'admin'], '', /--role is for add/],
    ] as Array<[string[], string, RegExp]>) {
      const r = users(args, input);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect(await dbExists()).toBe(false);
  });

  it('list and changes refuse a database that does not exist (exit 1), without creating it', async () => {
    const r = users(['list']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/does not exist/);
    expect(await dbExists()).toBe(false);
  });

  it('add creates the database, and every change is audited as made from the command line', async () => {
    expect(users(['add', 'ann', '--role', 'viewer'], 'long enough password\n')).toMatchObject({
      code: 0,
      out: 'added ann (viewer)\n',
    });
    expect(users(['role', 'ann', 'analyst']).code).toBe(0);
    expect(users(['disable', 'ann']).code).toBe(0);
    const audit = await chQuery<{ actor: string; action: string; target: string; detail: string }>(
      `SELECT actor, action, target, detail FROM ${db}.audit_log ORDER BY ts`,
    );
    expect(audit.map((a) => [a.actor, a.action, a.target, JSON.parse(a.detail)])).toEqual([
      ['cli:tester', 'user.add', 'ann', { role: 'viewer' }],
      ['cli:tester', 'user.change', 'ann', { role: 'analyst' }],
      ['cli:tester', 'user.change', 'ann', { disabled: true }],
    ]);
    const list = users(['list', '--json']);
    expect(JSON.parse(list.out)).toMatchObject({ name: 'ann', role: 'analyst', disabled: true });
    expect(list.out).not.toContain('argon2');
  });
});
