// A real console for the API tests: a config file (in a temporary directory) on a random
// ClickHouse database, `startConsole` on 127.0.0.1 port 0 with a clock the test can move, one
// account per role, and `call` to make a request as nobody, as a role (a new session, with its
// CSRF token on changes) or with any headers. `cleanup` stops it and removes what it made.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { putUser } from '../../console/accounts.js';
import { SESSION_COOKIE } from '../../console/auth.js';
import { loadConsoleConfig } from '../../console/config.js';
import { type RunningConsole, startConsole } from '../../console/main.js';
import { hashPassword } from '../../console/passwords.js';
import type { Role } from '../../console/roles.js';
import { dropDb, randomDb } from './clickhouse.js';

export const PASSWORD = 'correct horse battery';
/** The account of each role. */
export const USER_OF: Record<Role, string> = { viewer: 'vera', analyst: 'andy', admin: 'ada' };

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** the parsed body when it is JSON */
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever field of a reply it checks
  json: any;
}

export interface CallOptions {
  /** a new session of that role's account; none: no credentials */
  as?: Role;
  body?: unknown;
  /** raw body text (sent as JSON) */
  raw?: string;
  /** the CSRF header of a session: its token by default, false for none, a string for that one */
  csrf?: string | false;
  headers?: Record<string, string>;
  /** read only the status and headers of a success (an event stream never ends) */
  headOnly?: boolean;
}

export interface TestConsole {
  c: RunningConsole;
  db: string;
  configFile: string;
  /** ms added to the sessions' and lockout's clock */
  skew: { ms: number };
  call(method: string, path: string, o?: CallOptions): Promise<Reply>;
  cleanup(): Promise<void>;
}

export async function testConsole(config: Record<string, unknown> = {}): Promise<TestConsole> {
  const db = randomDb();
  const dir = mkdtempSync(join(tmpdir(), 'porthole-console-'));
  const configFile = join(dir, 'porthole.json');
  const file = {
    ...config,
    clickhouse: { url: 'http://127.0.0.1:8123', database: db },
    console: { listen: '127.0.0.1:0', publicUrl: 'http://127.0.0.1:8080', ...(config.console as object) },
  };
  writeFileSync(configFile, JSON.stringify(file));
  const skew = { ms: 0 };
  let c: RunningConsole | null = null;
  const cleanup = async () => {
    if (c) {
      c.app.server.closeAllConnections?.();
      await c.close();
    }
    await dropDb(db);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const cfg = loadConsoleConfig({ file: configFile, env: {} });
    c = await startConsole({ cfg: cfg.console, analyzer: cfg.analyzer, log: false, now: () => Date.now() + skew.ms });
    const hash = await hashPassword(PASSWORD);
    for (const [role, name] of Object.entries(USER_OF))
      await putUser(c.ctx.store, { name, role: role as Role, source: 'local', disabled: false, password_hash: hash });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const running = c;

  async function call(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.as) {
      const s = running.ctx.sessions.create(USER_OF[o.as], 'password');
      headers.cookie = `${SESSION_COOKIE}=${s.id}`;
      if (o.csrf !== false && method !== 'GET') headers['x-csrf-token'] = o.csrf ?? s.csrf;
    }
    let body: string | undefined;
    if (o.raw !== undefined || o.body !== undefined) {
      body = o.raw ?? JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    const abort = new AbortController();
    const res = await fetch(`${running.url}${path}`, { method, headers, body, signal: abort.signal });
    if (o.headOnly && res.ok) {
      abort.abort();
      return { status: res.status, headers: res.headers, text: '', json: undefined };
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  return { c: running, db, configFile, skew, call, cleanup };
}
