// One suite, two engines (issue 6): every statement the store issues — schema creation and
// migration, inserts, the inventory and history queries, states, alerts and the outbox's
// NOT IN, verifications, meta, partition retention — runs against Debian's ClickHouse 18.16
// (HTTP) and a current ClickHouse (26.x, in-process through `chdb`), with the same assertions.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cidrRangeHex, parseCidr } from '../../analyzer/policy.js';
import { Store } from '../../analyzer/store/clickhouse-store.js';
import { chdbEngine, type Engine, httpEngine } from '../../analyzer/store/engine.js';
import { CH_URL, randomDb } from '../support/clickhouse.js';
import { observation } from '../support/observations.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-chdb-'));
const engines: Array<[string, () => Engine]> = [
  ['ClickHouse 18.16 over HTTP', () => httpEngine({ url: CH_URL, user: 'default', password: null })],
  ['ClickHouse 26.x in-process (chdb)', () => chdbEngine(dir)],
];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
  rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;

describe.each(engines)('store on %s', (_name, make) => {
  it('creates, migrates, stores and queries the same way', async () => {
    const engine = make();
    const db = randomDb();
    const store = new Store({ database: db, engine });
    cleanups.push(async () => {
      await engine.command(`DROP DATABASE IF EXISTS ${db}`).catch(() => {});
      await store.close();
    });
    expect(await store.migrate()).toEqual([]);
    expect(await store.migrate()).toEqual([]); // idempotent
    // a column dropped behind our back is added back by the migration
    await engine.command(`ALTER TABLE ${db}.observations DROP COLUMN client_outside`);
    expect(await store.migrate()).toEqual(['observations.client_outside']);

    const now = Date.now();
    const old = now - 40 * DAY;
    const obs = [
      observation({
        ip: '192.0.2.1',
        port: 443,
        window_start: now - 10_000,
        handshakes: 2,
        clients: 1,
        first_seen: now - 9000,
        last_seen: now - 8000,
      }),
      observation({
        ip: '192.0.2.1',
        port: 443,
        window_start: now - 5000,
        handshakes: 3,
        clients: 4,
        first_seen: now - 4000,
        last_seen: now - 3000,
        vlan: 42,
      }),
      observation({
        ip: '2001:db8::7',
        port: 22,
        window_start: now - 5000,
        evidence: 'synack',
        ttl: 57,
        tcp_window: 1000,
        mss: 1440,
      }),
      observation({ ip: '198.51.100.3', port: 80, window_start: old }),
    ];
    const rows = [...obs, obs[0]].map((o) => ({
      ...o,
      day: new Date(o.window_start).toISOString().slice(0, 10),
      client_outside: o.ip === '2001:db8::7' ? 1 : 0,
      ingested_at: Math.floor(now / 1000),
    }));
    await store.insert('observations', rows.slice(0, 2));
    await store.insert('observations', rows.slice(2)); // the duplicate of obs[0] arrives in another insert

    const services = await store.services();
    expect(
      services.map((s) => [
        s.ip,
        s.port,
        s.handshakes,
        s.clients,
        s.first_seen,
        s.last_seen,
        s.evidence,
        s.internet_exposed,
      ]),
    ).toEqual([
      ['192.0.2.1', 443, 5, 4, now - 9000, now - 3000, 'handshake', false],
      ['198.51.100.3', 80, 3, 2, old + 10, old + 900, 'handshake', false],
      ['2001:db8::7', 22, 3, 2, now - 5000 + 10, now - 5000 + 900, 'synack', true],
    ]);
    expect(services[0].vlans).toEqual([42]);
    expect(services[2]).toMatchObject({ ttl: 57, tcp_window: 1000, mss: 1440, sensors: ['test-sensor'] });
    expect((await store.services({ net: cidrRangeHex(parseCidr('192.0.2.0/24')!) })).map((s) => s.ip)).toEqual([
      '192.0.2.1',
    ]);
    expect((await store.services({ net: cidrRangeHex(parseCidr('2001:db8::/32')!) })).map((s) => s.ip)).toEqual([
      '2001:db8::7',
    ]);
    expect((await store.services({ port: 22 })).map((s) => s.ip)).toEqual(['2001:db8::7']);
    expect((await store.history('192.0.2.1')).map((h) => h.handshakes)).toEqual([2, 3]);

    await store.insert('endpoint_states', [
      {
        ip: '192.0.2.1',
        proto: 'tcp',
        port: 443,
        state: 'new',
        since: 1,
        first_seen: 1,
        last_seen: 2,
        reason: 'alerted',
        version: 1,
      },
      {
        ip: '192.0.2.1',
        proto: 'tcp',
        port: 443,
        state: 'stale',
        since: 5,
        first_seen: 1,
        last_seen: 2,
        reason: 'not_seen',
        version: 5,
      },
    ]);
    expect((await store.loadStates()).map((s) => [s.ip, s.state, s.version])).toEqual([['192.0.2.1', 'stale', 5]]);

    const alert = (id: string) => ({
      day: '2026-11-25',
      alert_id: id,
      ts: now,
      kind: 'new_service',
      severity: 'low',
      ip: '192.0.2.1',
      proto: 'tcp',
      port: 443,
      message: 'm',
      details: '{}',
    });
    await store.insert('alerts', [alert('a1'), alert('a2'), alert('a1')]);
    await store.insert('alert_deliveries', [{ alert_id: 'a1', sink: 'kafka', delivered_at: now }]);
    expect([...(await store.alertIds())].sort()).toEqual(['a1', 'a2']);
    expect((await store.undelivered('kafka')).map((a) => a.alert_id)).toEqual(['a2']);
    expect((await store.alerts({ ip: '192.0.2.1' })).length).toBe(2);

    const ver = (port: number, ts: number, status: string, product = '') => ({
      day: '2026-11-25',
      ip: '192.0.2.1',
      proto: 'tcp',
      port,
      ts,
      status,
      nmap_state: '',
      reason: '',
      service: product ? 'ssh' : '',
      product,
      version: '',
      extrainfo: '',
      cpe: '',
      duration_ms: 1,
      attempt: 1,
    });
    await store.insert('verifications', [
      ver(22, 1, 'pending'),
      ver(22, 2, 'verified_open', 'OpenSSH'),
      ver(443, 3, 'pending'),
    ]);
    const latest = await store.latestVerifications();
    expect(latest.get('192.0.2.1|tcp|22')).toMatchObject({ status: 'verified_open', product: 'OpenSSH', ts: 2 });
    expect(latest.get('192.0.2.1|tcp|443')).toMatchObject({ status: 'pending', ts: 3 });
    expect([...(await store.latestVerifications(undefined, true)).keys()]).toEqual(['192.0.2.1|tcp|22']);
    expect(await store.pendingVerifications()).toEqual([{ ip: '192.0.2.1', proto: 'tcp', port: 443 }]);
    expect((await store.verificationHistory('192.0.2.1')).map((v) => `${v.port}:${v.status}`)).toEqual([
      '22:pending',
      '22:verified_open',
      '443:pending',
    ]);

    await store.setMeta('first_start', '123');
    await store.setMeta('first_start', '456');
    expect(await store.getMeta('first_start')).toBe('456');
    expect(await store.getMeta('nope')).toBeNull();

    expect(await store.dropOldPartitions(30)).toEqual([new Date(old).toISOString().slice(0, 10)]);
    expect((await store.services()).map((s) => s.ip)).toEqual(['192.0.2.1', '2001:db8::7']);
    expect(await store.version()).toMatch(/^\d+\.\d+/);
  });
});
