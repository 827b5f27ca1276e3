// Single sign-on against a real OpenID provider (oidc-provider, its development login and consent
// pages) and the console on a random ClickHouse database: the whole authorization-code + PKCE
// flow driven by plain HTTP with hand-kept cookies, then once by a real browser. A login ends
// with a session whose role comes from the ID token's claim; a forged state, a callback from
// another browser, an unmapped claim, a local account's name and an unreachable provider end
// without one.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUser, putUser } from '../../console/accounts.js';
import { loadConsoleConfig } from '../../console/config.js';
import { type RunningConsole, startConsole } from '../../console/main.js';
import { CH_URL, chQuery, dropDb, randomDb } from '../support/clickhouse.js';

const CLIENT_ID = 'porthole-console';
const SECRET = randomBytes(24).toString('base64url');
const CHROMIUM = '/usr/bin/chromium';

/** A port nothing listens on now (taken from the kernel, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** An HTTP client that keeps each origin's cookies and never follows a redirect by itself. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).origin)?.get(name);
  }

  async go(url: string, init: { method?: string; body?: URLSearchParams; accept?: string } = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.jars.get(u.origin) ?? new Map<string, string>();
    this.jars.set(u.origin, jar);
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (init.accept) headers.accept = init.accept;
    const res = await fetch(u, { method: init.method ?? 'GET', body: init.body, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone = attrs.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()),
      );
      if (gone || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects until one points where `stop` says (returned unvisited) or a page answers. */
  async follow(
    url: string,
    init: { method?: string; body?: URLSearchParams } = {},
    stop: (u: URL) => boolean = () => false,
  ): Promise<{ res: Response | null; url: string }> {
    let res = await this.go(url, init);
    while (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location') as string, url).href;
      if (stop(new URL(next))) return { res: null, url: next };
      url = next;
      res = await this.go(url);
    }
    return { res, url };
  }
}

describe('console single sign-on (OpenID Connect)', () => {
  const db = randomDb();
  let idp: Server;
  let issuer: string;
  let c: RunningConsole;
  const consoles: RunningConsole[] = [];

  const isCallback = (u: URL) => u.href.startsWith(`${c.url}/api/v1/oidc/callback`);

  /** Starts a login in the console and completes the provider's pages: the callback URL it redirects to. */
  async function atProvider(b: Browser, login: string): Promise<string> {
    const start = await b.go(`${c.url}/api/v1/oidc/login`);
    expect(start.status).toBe(302);
    expect(b.cookie(c.url, 'porthole_oidc')).toBeTruthy();
    const auth = new URL(start.headers.get('location') as string);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('redirect_uri')).toBe(`${c.url}/api/v1/oidc/callback`);
    let at = await b.follow(auth.href, {}, isCallback);
    for (let step = 0; step < 4 && at.res; step++) {
      const html = await at.res.text();
      expect(at.res.status, html).toBe(200);
      const action = (/<form[^>]*action="([^"]+)"/.exec(html) as RegExpExecArray)[1].replaceAll('&amp;', '&');
      const prompt = (/name="prompt" value="(\w+)"/.exec(html) as RegExpExecArray)[1];
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
      at = await b.follow(new URL(action, at.url).href, { method: 'POST', body }, isCallback);
    }
    expect(at.res).toBeNull();
    return at.url;
  }

  async function consoleWith(issuerUrl: string): Promise<RunningConsole> {
    const port = await freePort();
    const { console: cfg, analyzer } = loadConsoleConfig({
      env: { PORTHOLE_CONSOLE_OIDC_CLIENT_SECRET: SECRET },
      flags: {
        'clickhouse.url': CH_URL,
        'clickhouse.database': db,
        'console.listen': `127.0.0.1:${port}`,
        'console.metricsListen': 'off',
        'console.publicUrl': `http://127.0.0.1:${port}`,
        'console.oidc.issuer': issuerUrl,
        'console.oidc.clientId': CLIENT_ID,
        'console.oidc.scopes': ['openid', 'profile', 'roles'],
        'console.oidc.roles': ['soc-analysts=analyst'],
      },
    });
    const started = await startConsole({ cfg, analyzer, log: false });
    consoles.push(started);
    return started;
  }

  beforeAll(async () => {
    let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => r.end();
    idp = createServer((req, res) => handler(req, res));
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    c = await consoleWith(issuer);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: SECRET,
          redirect_uris: [`${c.url}/api/v1/oidc/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      pkce: { required: () => true },
      features: { devInteractions: { enabled: true } },
      claims: { openid: ['sub'], profile: ['preferred_username'], roles: ['roles'] },
      conformIdTokenClaims: false, // the claims in the ID token, as Keycloak puts them
      ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
      findAccount: async (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: async () => ({
          sub: id,
          preferred_username: id,
          roles: id.startsWith('outsider') ? ['guests', 'staff'] : ['staff', 'soc-analysts'],
        }),
      }),
    });
    handler = provider.callback() as typeof handler;
  });

  afterAll(async () => {
    for (const k of consoles) await k.close().catch(() => {});
    idp?.closeAllConnections();
    await new Promise<void>((r) => (idp ? idp.close(() => r()) : r()));
    await dropDb(db);
  });

  it('logs in through the provider with PKCE: a session with the mapped role and an oidc account', async () => {
    const b = new Browser();
    const callback = await atProvider(b, 'alice');
    const cb = new URL(callback);
    expect(cb.searchParams.get('code')).toBeTruthy();
    expect(cb.searchParams.get('iss')).toBe(issuer);
    const res = await b.go(callback);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${c.url}/`);
    expect(b.cookie(c.url, 'porthole_session')).toBeTruthy();
    expect(b.cookie(c.url, 'porthole_oidc')).toBeUndefined();

    const me = await b.go(`${c.url}/api/v1/session`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'alice', role: 'analyst', via: 'session', oidc: true });
    const stored = await getUser(c.ctx.store, 'alice');
    expect(stored).toMatchObject({ role: 'analyst', source: 'oidc', disabled: false, password_hash: '' });
    const logins = await chQuery<{ detail: string }>(
      `SELECT detail FROM ${db}.audit_log WHERE action = 'login' AND actor = 'alice'`,
    );
    expect(logins.map((l) => JSON.parse(l.detail))).toEqual([{ via: 'oidc', role: 'analyst' }]);

    // the account has no password: a password login to it is refused
    const pw = await fetch(`${c.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', password: 'any-password-at-all' }),
    });
    expect(pw.status).toBe(401);

    const doc = await (await fetch(`${c.url}/api/v1/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/oidc/login', '/api/v1/oidc/callback']));
  });

  it('refuses a callback whose state is not the one this browser started, and uses the login up', async () => {
    const b = new Browser();
    const callback = new URL(await atProvider(b, 'bob'));
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state-value');
    const res = await b.go(forged.href);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('INVALID_INPUT');
    expect(b.cookie(c.url, 'porthole_session')).toBeUndefined();
    // the genuine response after that finds no login in progress
    const again = await b.go(callback.href);
    expect(again.status).toBe(400);
    expect(b.cookie(c.url, 'porthole_session')).toBeUndefined();
    expect(await getUser(c.ctx.store, 'bob')).toBeNull();
  });

  it('refuses a callback carried to another browser (login CSRF)', async () => {
    const callback = await atProvider(new Browser(), 'mallory');
    const victim = new Browser();
    const res = await victim.go(callback);
    expect(res.status).toBe(400);
    expect(victim.cookie(c.url, 'porthole_session')).toBeUndefined();
    expect(await getUser(c.ctx.store, 'mallory')).toBeNull();
  });

  it('refuses an identity whose claim maps to no role: 403, no account, no session', async () => {
    const b = new Browser();
    const res = await b.go(await atProvider(b, 'outsider'));
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.error.code).toBe('FORBIDDEN');
    expect(body.error.message).toContain('roles');
    expect(b.cookie(c.url, 'porthole_session')).toBeUndefined();
    expect(await getUser(c.ctx.store, 'outsider')).toBeNull();
    // a browser is shown a page, not JSON
    const b2 = new Browser();
    const page = await b2.go(await atProvider(b2, 'outsider2'), { accept: 'text/html' });
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Sign-in refused');
  });

  it("refuses to log in as a local account's name", async () => {
    await putUser(c.ctx.store, { name: 'carol', role: 'admin', source: 'local', disabled: false, password_hash: '' });
    const b = new Browser();
    const res = await b.go(await atProvider(b, 'carol'));
    expect(res.status).toBe(403);
    expect(b.cookie(c.url, 'porthole_session')).toBeUndefined();
    expect(await getUser(c.ctx.store, 'carol')).toMatchObject({ source: 'local', role: 'admin' });
  });

  it('answers 503 UNAVAILABLE when the provider cannot be reached', async () => {
    const down = await consoleWith(`http://127.0.0.1:${await freePort()}`);
    const res = await fetch(`${down.url}/api/v1/oidc/login`, { redirect: 'manual' });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(body.error.message).toContain('cannot be reached');
    expect(body.error.message).not.toContain(SECRET);
  });

  it('logs in with a real browser clicking through the provider pages', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${c.url}/api/v1/oidc/login`);
      await page.fill('input[name=login]', 'dana');
      await page.fill('input[name=password]', 'any');
      await page.click('button[type=submit]');
      await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
      await page.click('button[type=submit]');
      await page.waitForURL(`${c.url}/`);
      const me = await page.evaluate(async () => (await fetch('/api/v1/session')).json());
      expect(me).toMatchObject({ name: 'dana', role: 'analyst', via: 'session' });
      const cookies = await page.context().cookies(c.url);
      expect(cookies.find((k) => k.name === 'porthole_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    } finally {
      await browser.close();
    }
  });
});
