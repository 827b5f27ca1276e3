// The console's HTTP API, served for real (startConsole on 127.0.0.1, the real ClickHouse, Kafka
// for verification requests) and called over HTTP: every route × every role (401 without
// credentials, 403 below the route's role, neither at or above it: a route added without an
// entry in ROUTES fails here), bad input refused with the field at fault, sessions, tokens,
// CSRF, lockout, the body limit; then a seeded inventory read through each route as the CLI
// reads it (`porthole services --csv/--json`, `porthole alerts show`), and the changes made
// through the API audited under the account's name.

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoDay, DAY_MS } from '../../common/time.js';
import { pino } from 'pino';
import { foldExisting } from '../../analyzer/store/fold.js';
import { insertRows } from '../../analyzer/store/writes.js';
import { statusRow } from '../../analyzer/store/sensor-status.js';
import { newToken, putToken } from '../../console/accounts.js';
import { startConsole } from '../../console/main.js';
import { loadConsoleConfig } from '../../console/config.js';
import { ROLES, type Role } from '../../console/roles.js';
import { deleteTopics, BROKERS, randomTopic, readTopic } from '../support/kafka.js';
import { sensorStatus } from '../support/sensor-status.js';
import { observation } from '../support/observations.js';
import { BIN } from '../support/porthole.js';
import { PASSWORD, type TestConsole, testConsole, USER_OF } from '../support/api-console.js';

const requestsTopic = randomTopic('verify-requests');
let t: TestConsole;
const now = Date.now();
const ACK_ID = 'new_service|192.0.2.10|tcp|443';
const HOOK = 'https://hooks.example.net/services/T000/very-secret-path';

beforeAll(async () => {
  t = await testConsole({
    kafka: { brokers: BROKERS, verifyRequestsTopic: requestsTopic },
    owners: {
      rules: ['web=192.0.2.0/24', 'dba=10.0.0.0/8:5432'],
      webhooks: [`web=${HOOK}`],
      slackWebhooks: [`dba=${HOOK}-dba`],
    },
    policy: { expected: ['198.51.100.0/24:80'] },
    verify: { allowedNetworks: ['192.0.2.0/24'] },
    console: { loginFailures: 3 },
  });
  await seed();
});

afterAll(async () => {
  await t?.cleanup();
  await deleteTopics([requestsTopic]);
});

/** Six endpoints (states, a verification), four alerts, two sensors. */
async function seed(): Promise<void> {
  const s = t.c.ctx.store;
  await foldExisting(s, pino({ level: 'silent' })); // as an analyzer's first start: the CLI reads it then
  const internal = { clients: 2, clients_internal: 2, clients_internet: 0, hll_internet: [] };
  const obs = [
    observation({ ip: '192.0.2.10', port: 443, window_start: now - 3_600_000 }),
    observation({ ip: '192.0.2.10', port: 22, window_start: now - 3 * DAY_MS, ...internal }),
    observation({ ip: '192.0.2.11', port: 8080, window_start: now - 2 * DAY_MS }),
    observation({ ip: '198.51.100.5', port: 80, window_start: now - 7_200_000 }),
    observation({ ip: '10.9.9.9', port: 5432, window_start: now - 600_000 }),
    observation({ ip: '2001:db8::5', port: 443, window_start: now - 600_000 }),
  ];
  await insertRows(
    s,
    'observations',
    obs.map((o, i) => ({
      ...o,
      day: isoDay(o.window_start),
      client_outside: 0,
      ingested_at: 1,
      kafka_partition: 0,
      kafka_offset: i,
    })),
  );
  const state = (ip: string, port: number, st: string) => ({
    ip,
    proto: 'tcp',
    port,
    state: st,
    since: now - 1000,
    first_seen: now - 1000,
    last_seen: now,
    reason: 'test',
    version: 1,
  });
  await insertRows(s, 'endpoint_states', [
    state('192.0.2.10', 443, 'new'),
    state('192.0.2.10', 22, 'stale'),
    state('192.0.2.11', 8080, 'active'),
    state('10.9.9.9', 5432, 'new'),
  ]);
  await insertRows(s, 'verifications', [
    {
      day: isoDay(now),
      ip: '192.0.2.11',
      proto: 'tcp',
      port: 8080,
      ts: now - 5000,
      status: 'verified_open',
      nmap_state: 'open',
      reason: 'syn-ack',
      service: 'http',
      product: 'nginx',
      version: '1.25',
      extrainfo: '',
      cpe: '',
      duration_ms: 100,
      attempt: 1,
      request: '',
    },
  ]);
  const alert = (alert_id: string, ip: string, port: number) => ({
    day: isoDay(now),
    alert_id,
    ts: now - 1000,
    kind: 'new_service',
    severity: 'low',
    ip,
    proto: 'tcp',
    port,
    message: `new service ${ip}:${port}`,
    details: '{}',
    stored_at: now - 1000,
    net: '192.0.2.0/24',
    owner: 'web',
  });
  await insertRows(s, 'alerts', [
    alert(ACK_ID, '192.0.2.10', 443),
    alert('walk-ack', '192.0.2.20', 1),
    alert('walk-resolve', '192.0.2.21', 2),
    alert('walk-assign', '192.0.2.22', 3),
  ]);
  const status = (sensor: string, ts: number, packets: number) =>
    statusRow(
      sensorStatus({
        sensor,
        ts,
        packets,
        uptime_s: 60,
        failures: { truncated: 1 },
        handshakes: 5,
        observations: 1,
        published: 1,
        last_packet_ms: ts - 10,
        kernel_drops: 2,
      }),
    );
  await insertRows(s, 'sensor_status', [
    status('span-01', now - 20_000, 100),
    status('span-01', now - 10_000, 200),
    status('span-02', now - 3_600_000, 50),
  ]);
}

/** Minimal valid requests of every route, by `METHOD /url` as the server records it. */
const ROUTES: Record<string, { path?: string; body?: unknown; headOnly?: boolean }> = {
  'POST /api/v1/session': { body: { name: USER_OF.viewer, password: PASSWORD } },
  'DELETE /api/v1/session': {},
  'GET /api/v1/session': {},
  'GET /api/v1/login-options': {},
  'GET /api/v1/oidc/login': {}, // single sign-on is not configured here: public, refused as such
  'GET /api/v1/oidc/callback': { path: '/api/v1/oidc/callback?state=x&code=y' },
  'GET /api/v1/overview': {},
  'GET /api/v1/services': { path: '/api/v1/services?limit=1' },
  'GET /api/v1/hosts/:ip': { path: '/api/v1/hosts/192.0.2.10' },
  'GET /api/v1/alerts': {},
  'GET /api/v1/alerts/:id': { path: '/api/v1/alerts/walk-ack' },
  'POST /api/v1/alerts/:id/acknowledge': { path: '/api/v1/alerts/walk-ack/acknowledge', body: { note: 'walk' } },
  'POST /api/v1/alerts/:id/resolve': { path: '/api/v1/alerts/walk-resolve/resolve', body: { note: 'walk' } },
  'POST /api/v1/alerts/:id/assign': {
    path: '/api/v1/alerts/walk-assign/assign',
    body: { note: 'walk', assignee: 'web' },
  },
  'POST /api/v1/alerts/:id/expect': { path: '/api/v1/alerts/no-such-alert/expect', body: { note: 'walk' } },
  'GET /api/v1/rules': {},
  'POST /api/v1/rules/expected': { body: { net: '203.0.113.0/24', port: 9999, note: 'walk' } },
  'POST /api/v1/rules/expected/remove': { body: { rule: '203.0.113.0/24:9998', note: 'walk' } },
  'GET /api/v1/owners': {},
  'GET /api/v1/sensors': {},
  'GET /api/v1/sensors/:id/history': { path: '/api/v1/sensors/span-01/history' },
  'GET /api/v1/sweeps': {},
  'GET /api/v1/sweeps/:id': { path: '/api/v1/sweeps/2026-01-01T00:00:00Z' },
  'GET /api/v1/verifications': {},
  'POST /api/v1/verifications': { body: { ip: '198.51.100.7', port: 22 } }, // outside: 400, nothing sent
  'GET /api/v1/users': {},
  'POST /api/v1/users': { body: { name: 'walk-user', role: 'viewer', password: PASSWORD } },
  'PATCH /api/v1/users/:name': { path: '/api/v1/users/walk-user', body: { role: 'viewer' } },
  'GET /api/v1/tokens': {},
  'POST /api/v1/tokens': { body: { label: 'walk', role: 'viewer' } },
  'DELETE /api/v1/tokens/:id': { path: '/api/v1/tokens/0000000000000000' },
  'GET /api/v1/audit': {},
  'GET /api/v1/events': { headOnly: true },
  'GET /api/v1/openapi.json': {},
};

const rank = (r: Role) => ROLES.indexOf(r);

describe('console API', () => {
  it('overview, rules, owners, sensors and verifications of a seeded store', async () => {
    const o = await t.call('GET', '/api/v1/overview', { as: 'viewer' });
    expect(o.status).toBe(200);
    expect(o.json).toEqual({
      new_24h: 4,
      open_alerts: 4,
      by_state: { new: 2, verifying: 0, active: 1, stale: 1, reopened: 0, untracked: 2, dormant: 0 },
      by_audience: { internet: 5, internal_only: 1 },
      sensors: [
        { sensor: 'span-01', ts: now - 10_000, capture_state: 'capturing', healthy: true },
        { sensor: 'span-02', ts: now - 3_600_000, capture_state: 'capturing', healthy: false },
      ],
    });

    const rules = await t.call('GET', '/api/v1/rules', { as: 'viewer' });
    expect(rules.json.expected).toEqual([
      {
        rule_id: '198.51.100.0/24:80',
        net: '198.51.100.0/24',
        port: 80,
        source: 'config',
        actor: '',
        note: '',
        version: 0,
      },
    ]);
    expect(rules.json.home_networks).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
    expect(rules.json.high_risk_ports.slice(0, 3)).toEqual([21, 22, 23]);
    expect(rules.json.learning).toEqual({ period_ms: 0, first_start: null, until: null, active: false });

    const owners = await t.call('GET', '/api/v1/owners', { as: 'viewer' });
    expect(owners.json).toEqual({
      rules: [
        { team: 'web', net: '192.0.2.0/24', port: null },
        { team: 'dba', net: '10.0.0.0/8', port: 5432 },
      ],
      teams: [
        { team: 'dba', webhooks: 0, slack_webhooks: 1 },
        { team: 'web', webhooks: 1, slack_webhooks: 0 },
      ],
    });
    expect(owners.text).not.toContain('very-secret-path');
    expect(rules.text + o.text).not.toContain('very-secret-path');

    const sensors = await t.call('GET', '/api/v1/sensors', { as: 'viewer' });
    expect(sensors.json.items.map((s: { sensor: string }) => s.sensor)).toEqual(['span-01', 'span-02']);
    expect(sensors.json.items[0]).toMatchObject({
      sensor: 'span-01',
      ts: now - 10_000,
      source: 'iface:eth1',
      packets: 200,
      decoded: 200,
      failures: 1,
      handshakes: 5,
      kernel_drops: 2,
      dropped_before_kafka: 0,
      last_packet_ms: now - 10_010,
      capture_state: 'capturing',
    });
    expect(sensors.json.items[0].status).toMatchObject({
      type: 'sensor_status',
      uptime_s: 60,
      failures: { truncated: 1 },
    });
    const hist = await t.call('GET', '/api/v1/sensors/span-01/history?since=1h', { as: 'viewer' });
    expect(hist.json.items.map((p: { ts: number; packets: number }) => [p.ts, p.packets])).toEqual([
      [now - 20_000, 100],
      [now - 10_000, 200],
    ]);
    expect((await t.call('GET', '/api/v1/sensors/span-02/history?since=10m', { as: 'viewer' })).json).toEqual({
      items: [],
    });

    const ver = await t.call('GET', '/api/v1/verifications?ip=192.0.2.11', { as: 'viewer' });
    expect(ver.json.items).toEqual([
      {
        ip: '192.0.2.11',
        proto: 'tcp',
        port: 8080,
        ts: now - 5000,
        status: 'verified_open',
        service: 'http',
        product: 'nginx',
        version: '1.25',
        extrainfo: '',
        cpe: '',
        reason: 'syn-ack',
        request: '',
      },
    ]);
    expect((await t.call('GET', '/api/v1/verifications?status=pending', { as: 'viewer' })).json.items).toEqual([]);
  });

  it('services: filters, cursor pages, and exports equal to porthole services --csv / --json', async () => {
    const list = async (q: string) => {
      const r = await t.call('GET', `/api/v1/services${q}`, { as: 'viewer' });
      expect(r.status).toBe(200);
      return r.json as { items: Array<{ ip: string; port: number; cursor: string }>; next: string | null };
    };
    const eps = (q: string) => list(q).then((p) => p.items.map((r) => `${r.ip}:${r.port}`));
    const all = await list('');
    expect(all.next).toBeNull();
    expect(all.items.map((r) => `${r.ip}:${r.port}`)).toEqual([
      '10.9.9.9:5432',
      '192.0.2.10:22',
      '192.0.2.10:443',
      '192.0.2.11:8080',
      '198.51.100.5:80',
      '2001:db8::5:443',
    ]);
    expect(await eps('?net=192.0.2.0/24')).toEqual(['192.0.2.10:22', '192.0.2.10:443', '192.0.2.11:8080']);
    expect(await eps('?port=443')).toEqual(['192.0.2.10:443', '2001:db8::5:443']);
    expect(await eps('?state=new,stale')).toEqual(['10.9.9.9:5432', '192.0.2.10:22', '192.0.2.10:443']);
    expect(await eps('?state=untracked')).toEqual(['198.51.100.5:80', '2001:db8::5:443']);
    expect(await eps('?new_since=24h')).toEqual([
      '10.9.9.9:5432',
      '192.0.2.10:443',
      '198.51.100.5:80',
      '2001:db8::5:443',
    ]);
    expect(await eps('?audience=internal')).toEqual(['192.0.2.10:22']);
    expect((await eps('?audience=internet')).length).toBe(5);
    expect(await eps('?owner=dba')).toEqual(['10.9.9.9:5432']);
    expect(await eps('?owner=-')).toEqual(['198.51.100.5:80', '2001:db8::5:443']);
    const tags = (await list('?port=80')).items[0] as unknown as { tags: string[]; owner: string };
    expect(tags.tags).toContain('expected');

    // pages of two, each from the previous page's cursor, make the whole list
    const paged: string[] = [];
    let after = '';
    for (let i = 0; i < 10; i++) {
      const p = await list(`?limit=2${after}`);
      paged.push(...p.items.map((r) => r.cursor));
      if (!p.next) break;
      after = `&after=${encodeURIComponent(p.next)}`;
    }
    expect(paged).toEqual(all.items.map((r) => r.cursor));

    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, 'services', ...args, '--config', t.configFile], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const csv = await t.call('GET', '/api/v1/services?format=csv', { as: 'viewer' });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\n').length).toBe(8); // header, six rows, the last newline
    expect(csv.text).toBe(cli(['--csv']));
    const jsonl = await t.call('GET', '/api/v1/services?format=jsonl&net=192.0.2.0/24', { as: 'viewer' });
    expect(jsonl.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(jsonl.text).toBe(cli(['--json', '--net', '192.0.2.0/24']));
  });

  it('every route: 401 without credentials, 403 below its role, neither at or above it', async () => {
    const routes = t.c.app.apiRoutes;
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    expect(
      keys.filter((k) => !(k in ROUTES)),
      'routes without an entry in ROUTES',
    ).toEqual([]);
    expect(
      Object.keys(ROUTES).filter((k) => !keys.includes(k)),
      'entries of no route',
    ).toEqual([]);
    const seen: string[] = [];
    for (const r of routes) {
      const e = ROUTES[`${r.method} ${r.url}`];
      const path = e.path ?? r.url;
      const o = { body: e.body, headOnly: e.headOnly };
      const anonymous = await t.call(r.method, path, o);
      if (r.role !== 'public') {
        expect(anonymous.status, `${r.method} ${path} without credentials`).toBe(401);
        expect(anonymous.json?.error?.code).toBe('AUTH_REQUIRED');
      }
      for (const role of ROLES) {
        const res = await t.call(r.method, path, { ...o, as: role });
        const what = `${r.method} ${path} as ${role} (needs ${r.role}): ${res.text.slice(0, 200)}`;
        if (r.role !== 'public' && rank(role) < rank(r.role)) {
          expect(res.status, what).toBe(403);
          expect(res.json.error.code).toBe('FORBIDDEN');
        } else expect([401, 403], what).not.toContain(res.status);
        seen.push(`${r.method} ${r.url} ${role} ${res.status}`);
      }
    }
    expect(seen.length).toBe(routes.length * ROLES.length);
  });

  it('refuses bad input with the field at fault', async () => {
    const bad = async (q: string, field: string) => {
      const r = await t.call('GET', `/api/v1/services?${q}`, { as: 'viewer' });
      expect(r.status, q).toBe(400);
      expect(r.json.error, q).toMatchObject({ code: 'INVALID_INPUT', field });
    };
    await bad('net=10.0.0.0/99', 'net');
    await bad('state=bogus', 'state');
    await bad('port=0', 'port');
    await bad('new_since=yesterday', 'new_since');
    await bad('colour=red', 'colour');
    await bad('after=nope', 'after');
    const v = await t.call('GET', '/api/v1/verifications?ip=300.1.1.1', { as: 'viewer' });
    expect(v.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'ip' });
    const since = await t.call('GET', '/api/v1/sensors/x/history?since=soon', { as: 'viewer' });
    expect(since.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'since' });
    const rule = await t.call('POST', '/api/v1/rules/expected', {
      as: 'admin',
      body: { net: '10.0.0.0/40', port: 22, note: 'x' },
    });
    expect(rule.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'net' });
    const missing = await t.call('POST', '/api/v1/rules/expected', {
      as: 'admin',
      body: { net: '10.0.0.1', port: 22 },
    });
    expect(missing.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'note' });

    const big = await t.call('POST', '/api/v1/rules/expected', {
      as: 'admin',
      body: { net: '10.0.0.1', port: 22, note: 'x'.repeat(70 * 1024) },
    });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('TOO_LARGE');
    const notJson = await t.call('POST', '/api/v1/rules/expected', { as: 'admin', raw: '{"net":' });
    expect(notJson.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'body' });

    expect((await t.call('GET', '/api/v1/hosts/192.0.2.250', { as: 'viewer' })).json.error.code).toBe('NOT_FOUND');
    expect((await t.call('GET', '/api/v1/hosts/192.0.2.250', { as: 'viewer' })).status).toBe(404);
    expect((await t.call('GET', '/api/v1/hosts/not-an-ip', { as: 'viewer' })).json.error.field).toBe('ip');
    expect((await t.call('GET', '/api/v1/nothing-here', { as: 'viewer' })).status).toBe(404);
  });

  it('sessions, CSRF, tokens and lockout', async () => {
    const ack = { body: { note: 'csrf' } };
    for (const csrf of [false, 'wrong-token'] as const) {
      const r = await t.call('POST', `/api/v1/alerts/${encodeURIComponent(ACK_ID)}/acknowledge`, {
        ...ack,
        as: 'analyst',
        csrf,
      });
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('CSRF_FAILED');
    }
    expect((await t.call('GET', `/api/v1/alerts/${encodeURIComponent(ACK_ID)}`, { as: 'viewer' })).json.state).toBe(
      'open',
    );

    // a password login: the cookie and CSRF token it returns work; an idle session ends
    const login = await t.call('POST', '/api/v1/session', { body: { name: USER_OF.viewer, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({ name: 'vera', role: 'viewer', via: 'session' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    const me = await t.call('GET', '/api/v1/session', { headers: { cookie } });
    expect(me.json).toMatchObject({ name: 'vera', csrf: login.json.csrf });
    t.skew.ms += t.c.ctx.cfg.sessionIdleMs + 1000;
    const idle = await t.call('GET', '/api/v1/overview', { headers: { cookie } });
    expect(idle.status).toBe(401);

    // tokens: good, expired, revoked, malformed, unknown
    const make = async (o: { expires_at?: number; revoked_at?: number }) => {
      const tk = newToken();
      await putToken(
        t.c.ctx.store,
        {
          token_id: tk.token_id,
          user: USER_OF.analyst,
          label: 't',
          role: 'analyst',
          created_at: Date.now(),
          expires_at: o.expires_at ?? 0,
          revoked_at: o.revoked_at ?? 0,
        },
        tk.secret_hash,
      );
      return tk.token;
    };
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    const good = await t.call('GET', '/api/v1/overview', bearer(await make({})));
    expect(good.status).toBe(200);
    for (const token of [
      await make({ expires_at: Date.now() - 1000 }),
      await make({ revoked_at: Date.now() - 1000 }),
      'ph_nope',
      `ph_0123456789abcdef.${'A'.repeat(43)}`,
    ]) {
      const r = await t.call('GET', '/api/v1/overview', bearer(token));
      expect(r.status, token).toBe(401);
      expect(r.json.error.code).toBe('AUTH_REQUIRED');
    }
    // a token changes things without a CSRF token (it is not a browser's ambient credential)
    const viaToken = await t.call('POST', '/api/v1/alerts/walk-assign/assign', {
      ...bearer(await make({})),
      body: { note: 'by token', assignee: 'dba' },
    });
    expect(viaToken.status).toBe(200);
    expect(viaToken.json.assignee).toBe('dba');

    // console.loginFailures (3) failures in a row lock the account, even for the right password
    for (let i = 0; i < 3; i++)
      expect(
        (await t.call('POST', '/api/v1/session', { body: { name: USER_OF.analyst, password: 'wrong password' } }))
          .status,
      ).toBe(401);
    const locked = await t.call('POST', '/api/v1/session', { body: { name: USER_OF.analyst, password: PASSWORD } });
    expect(locked.status).toBe(423);
    expect(locked.json.error.code).toBe('LOCKED');
  });

  it('changes through the API: audited as the account, seen by the CLI', async () => {
    const id = encodeURIComponent(ACK_ID);
    const acked = await t.call('POST', `/api/v1/alerts/${id}/acknowledge`, {
      as: 'analyst',
      body: { note: 'looking into it' },
    });
    expect(acked.status).toBe(200);
    expect(acked.json).toMatchObject({ state: 'acknowledged', actor: USER_OF.analyst });
    const shown = spawnSync(process.execPath, [BIN, 'alerts', 'show', ACK_ID, '--json', '--config', t.configFile], {
      encoding: 'utf8',
    });
    expect(shown.status, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      alert_id: ACK_ID,
      state: 'acknowledged',
      actor: 'andy',
      note: 'looking into it',
    });

    // expected-service rules: add (201), overlap refused (409), remove (200), remove again (404)
    const added = await t.call('POST', '/api/v1/rules/expected', {
      as: 'admin',
      body: { net: '2001:db8::5', port: 443, note: 'the lab proxy' },
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({
      rule_id: '2001:db8::5/128:443',
      net: '2001:db8::5/128',
      port: 443,
      source: 'stored',
      actor: 'ada',
      note: 'the lab proxy',
    });
    const overlap = await t.call('POST', '/api/v1/rules/expected', {
      as: 'admin',
      body: { net: '2001:db8::/32', port: 443, note: 'wider' },
    });
    expect(overlap.status).toBe(409);
    const listed = await t.call('GET', '/api/v1/rules', { as: 'viewer' });
    expect(listed.json.expected.map((r: { rule_id: string }) => r.rule_id)).toContain('2001:db8::5/128:443');
    const removed = await t.call('POST', '/api/v1/rules/expected/remove', {
      as: 'admin',
      body: { rule: '2001:db8::5/128:443', note: 'lab closed' },
    });
    expect(removed.status).toBe(200);
    expect(removed.json).toMatchObject({ rule_id: '2001:db8::5/128:443', actor: 'ada', note: 'lab closed' });
    const again = await t.call('POST', '/api/v1/rules/expected/remove', {
      as: 'admin',
      body: { rule: '2001:db8::5/128:443', note: 'twice' },
    });
    expect(again.status).toBe(404);

    // a verification request: outside verify.allowedNetworks refused, nothing published; inside
    // published for the verifier, as the account
    const outside = await t.call('POST', '/api/v1/verifications', {
      as: 'analyst',
      body: { ip: '198.51.100.7', port: 22 },
    });
    expect(outside.status).toBe(400);
    expect(outside.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'ip' });
    expect(outside.json.error.message).toMatch(/outside verify\.allowedNetworks/);
    const asked = await t.call('POST', '/api/v1/verifications', {
      as: 'analyst',
      body: { ip: '192.0.2.10', port: 443 },
    });
    expect(asked.status, asked.text).toBe(202);
    const published = (await readTopic(requestsTopic, (m) => m.length >= 1, 20_000)) as Array<Record<string, unknown>>;
    expect(published[0]).toMatchObject({ request: asked.json.request_id, ip: '192.0.2.10', port: 443, by: 'andy' });

    const audit = await t.call('GET', '/api/v1/audit?limit=500', { as: 'admin' });
    const lines = (audit.json.items as Array<{ actor: string; action: string; target: string }>).map(
      (a) => `${a.actor} ${a.action} ${a.target}`,
    );
    expect(lines).toContain(`andy alert.acknowledge ${ACK_ID}`);
    expect(lines).toContain('ada rule.add 2001:db8::5/128:443');
    expect(lines).toContain('ada rule.remove 2001:db8::5/128:443');
    expect(lines).toContain('andy verification.request 192.0.2.10:443');
    expect(lines).toContain('vera login vera');
    expect(lines).toContain('andy login_failed andy');
  });

  it('a verification request while Kafka is unreachable: 503, nothing audited', async () => {
    const cfg = loadConsoleConfig({ file: t.configFile, env: {} });
    const away = await startConsole({
      cfg: cfg.console,
      analyzer: { ...cfg.analyzer, kafka: { ...cfg.analyzer.kafka, brokers: ['127.0.0.1:9'] } },
      log: false,
    });
    try {
      const s = away.ctx.sessions.create(USER_OF.analyst, 'password');
      const r = await fetch(`${away.url}/api/v1/verifications`, {
        method: 'POST',
        headers: { cookie: `porthole_session=${s.id}`, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ ip: '192.0.2.11', port: 8080 }),
      });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    } finally {
      await away.close();
    }
    const audit = await t.call('GET', '/api/v1/audit?limit=500', { as: 'admin' });
    expect(
      (audit.json.items as Array<{ action: string; target: string }>).filter(
        (a) => a.action === 'verification.request' && a.target === '192.0.2.11:8080',
      ),
    ).toEqual([]);
  });

  it('sweeps: as porthole sweeps shows them', async () => {
    const id = '2026-01-01T00:00:00Z';
    expect((await t.call('GET', `/api/v1/sweeps/${id}`, { as: 'viewer' })).status).toBe(404);
    const s = t.c.ctx.store;
    await insertRows(s, 'sweeps', [
      {
        sweep_id: id,
        started_at: now - 60_000,
        period_ms: DAY_MS,
        addresses: 1,
        blocks_total: 1,
        slow_blocks: 0,
        ports: 'all',
        planner: 'x',
      },
    ]);
    // 192.0.2.10 swept, nothing open: its mirrored endpoints are passive only
    await insertRows(s, 'sweep_blocks', [
      {
        sweep_id: id,
        block: 0,
        grp: 'fast',
        targets: ['192.0.2.10'],
        hosts_up: 1,
        hosts_timed_out: 0,
        ports_open: 0,
        sweeper: 'x',
        started_at: now - 50_000,
        done_at: now - 40_000,
        error: '',
      },
    ]);
    const list = await t.call('GET', '/api/v1/sweeps', { as: 'viewer' });
    expect(list.json.items).toEqual([expect.objectContaining({ sweep_id: id, state: 'done', blocks_done: 1 })]);
    const one = await t.call('GET', `/api/v1/sweeps/${id}`, { as: 'viewer' });
    const cli = spawnSync(process.execPath, [BIN, 'sweeps', 'show', id, '--json', '--config', t.configFile], {
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(one.json).toEqual(JSON.parse(cli.stdout));
    expect(one.json.endpoints.map((e: { port: number; class: string }) => `${e.port} ${e.class}`)).toEqual([
      '22 passive_only',
      '443 passive_only',
    ]);
  });
});
