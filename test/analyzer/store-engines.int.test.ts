// One suite, two engines: every statement the store issues — schema creation and migration
// (store/migrate.ts), inserts, meta, the outbox's NOT IN and its delivery records, pending
// verifications, partition retention (store/writes.ts), states, the inventory and history
// queries, alerts and verifications (store/queries.ts) — runs against Debian's ClickHouse 18.16
// (HTTP) and a current ClickHouse (26.x, in-process through `chdb`), with the same assertions.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as inventory from '../../analyzer/inventory.js';
import { cidrRangeHex, parseCidr } from '../../analyzer/policy.js';
import { chdbEngine, type Engine, httpEngine } from '../../analyzer/store/engine.js';
import { migrate } from '../../analyzer/store/migrate.js';
import {
  alertRows,
  latestVerifications,
  forEachState,
  loadStates,
  observationHistory,
  serviceRows,
  verificationHistory,
} from '../../analyzer/store/queries.js';
import { Store } from '../../analyzer/store/store.js';
import {
  alertsById,
  dropOldPartitions,
  flaggedHosts,
  getMeta,
  insertRows,
  newServiceAlertsSince,
  pendingVerifications,
  recordDeliveries,
  setMeta,
  undelivered,
  undeliveredDigests,
  waitingNetworks,
} from '../../analyzer/store/writes.js';
import { CH_URL, randomDb } from '../support/clickhouse.js';
import { observation } from '../support/observations.js';
import { DAY_MS, isoDay } from '../../common/time.js';

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

describe.each(engines)('store on %s', (_name, make) => {
  it('creates, migrates, stores and queries the same way', async () => {
    const engine = make();
    const db = randomDb();
    const store = new Store({ database: db, engine });
    cleanups.push(async () => {
      await engine.command(`DROP DATABASE IF EXISTS ${db}`).catch(() => {});
      await store.close();
    });
    expect(await migrate(store)).toEqual([]);
    expect(await migrate(store)).toEqual([]); // idempotent
    // a column dropped behind our back is added back by the migration
    await engine.command(`ALTER TABLE ${db}.observations DROP COLUMN client_outside`);
    expect(await migrate(store)).toEqual(['observations.client_outside']);

    const now = Date.now();
    const old = now - 40 * DAY_MS;
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
      day: isoDay(o.window_start),
      client_outside: o.ip === '2001:db8::7' ? 1 : 0,
      ingested_at: Math.floor(now / 1000),
    }));
    await insertRows(store, 'observations', rows.slice(0, 2));
    await insertRows(store, 'observations', rows.slice(2)); // the duplicate of obs[0] arrives in another insert

    const services = await serviceRows(store);
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
    expect((await serviceRows(store, { net: cidrRangeHex(parseCidr('192.0.2.0/24')!) })).map((s) => s.ip)).toEqual([
      '192.0.2.1',
    ]);
    expect((await serviceRows(store, { net: cidrRangeHex(parseCidr('2001:db8::/32')!) })).map((s) => s.ip)).toEqual([
      '2001:db8::7',
    ]);
    expect((await serviceRows(store, { port: 22 })).map((s) => s.ip)).toEqual(['2001:db8::7']);
    expect((await observationHistory(store, '192.0.2.1')).map((h) => h.handshakes)).toEqual([2, 3]);

    await insertRows(store, 'endpoint_states', [
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
    expect((await loadStates(store)).map((s) => [s.ip, s.state, s.version])).toEqual([['192.0.2.1', 'stale', 5]]);
    const paged: string[] = [];
    expect(await forEachState(store, (s) => paged.push(`${s.ip}|${s.state}`), 1)).toBe(1);
    expect(paged).toEqual(['192.0.2.1|stale']);

    const alert = (id: string) => ({
      day: isoDay(now),
      alert_id: id,
      ts: now,
      kind: 'new_service',
      severity: 'low',
      ip: '192.0.2.1',
      proto: 'tcp',
      port: 443,
      message: 'm',
      details: '{}',
      stored_at: now,
      net: '192.0.2.0/24',
      owner: '',
    });
    await insertRows(store, 'alerts', [alert('a1'), alert('a2'), alert('a1')]);
    const delivered = (id: string, via = '') => ({ alert_id: id, sink: 'kafka', delivered_at: now, via });
    await recordDeliveries(store, [delivered('a1')]);
    expect(await newServiceAlertsSince(store, now)).toBe(2);
    expect(await newServiceAlertsSince(store, now + 1)).toBe(0);
    await insertRows(store, 'alerts', [
      { ...alert('syn_proxy_host|192.0.2.9'), kind: 'syn_proxy_host', ip: '192.0.2.9' },
    ]);
    expect(await flaggedHosts(store)).toEqual(['192.0.2.9']);
    await recordDeliveries(store, [delivered('syn_proxy_host|192.0.2.9')]);
    expect((await undelivered(store, { name: 'kafka' }, 0, 10)).map((a) => a.alert_id)).toEqual(['a2']);
    expect((await undelivered(store, { name: 'kafka' }, now, 10)).map((a) => [a.alert_id, a.stored_at])).toEqual([
      ['a2', now],
    ]);
    expect(await undelivered(store, { name: 'kafka' }, now + 1, 10)).toEqual([]);
    expect(await waitingNetworks(store, { name: 'kafka' }, now, 10)).toEqual([{ net: '192.0.2.0/24', alerts: 1 }]);
    expect((await undelivered(store, { name: 'kafka' }, now, 10, '192.0.2.0/24')).map((a) => a.alert_id)).toEqual([
      'a2',
    ]);
    expect(await undelivered(store, { name: 'kafka' }, now, 10, '10.0.0.0/24')).toEqual([]);
    await insertRows(store, 'alert_digests', [
      {
        day: '2026-11-25',
        digest_id: 'digest|d1',
        sink: 'kafka',
        ts: now,
        scope: '192.0.2.1',
        severity: 'low',
        alert_count: 1,
        alert_ids: '["a2"]',
        message: '1 alert',
      },
    ]);
    await recordDeliveries(store, [delivered('a2', 'digest|d1')]);
    expect(await undelivered(store, { name: 'kafka' }, 0, 10)).toEqual([]);
    expect((await undeliveredDigests(store, 'kafka', now)).map((d) => [d.digest_id, d.alert_count])).toEqual([
      ['digest|d1', 1],
    ]);
    expect((await alertsById(store, ['a2', 'nope'])).map((a) => a.alert_id)).toEqual(['a2']);
    await recordDeliveries(store, [delivered('digest|d1')]);
    expect(await undeliveredDigests(store, 'kafka', now)).toEqual([]);
    expect((await alertRows(store, { ip: '192.0.2.1' })).length).toBe(2);
    // a sink scoped to one owner (owners.*) or to the alerts no one owns (the default sinks)
    await insertRows(store, 'alerts', [{ ...alert('o1'), ip: '192.0.2.50', owner: 'web' }]);
    const web = { name: 'team:web:webhook:1', owner: 'web' };
    expect((await undelivered(store, web, 0, 10)).map((a) => [a.alert_id, a.owner])).toEqual([['o1', 'web']]);
    expect(await waitingNetworks(store, web, 0, 10)).toEqual([{ net: '192.0.2.0/24', alerts: 1 }]);
    expect((await undelivered(store, { name: 'webhook:x', owner: '' }, 0, 10)).map((a) => a.alert_id)).toEqual([
      'a1',
      'a2',
      'syn_proxy_host|192.0.2.9',
    ]);
    expect((await alertsById(store, ['o1'])).map((a) => a.owner)).toEqual(['web']);

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
    await insertRows(store, 'verifications', [
      ver(22, 1, 'pending'),
      ver(22, 2, 'verified_open', 'OpenSSH'),
      ver(443, 3, 'pending'),
    ]);
    const latest = await latestVerifications(store);
    expect(latest.get('192.0.2.1|tcp|22')).toMatchObject({ status: 'verified_open', product: 'OpenSSH', ts: 2 });
    expect(latest.get('192.0.2.1|tcp|443')).toMatchObject({ status: 'pending', ts: 3 });
    expect([...(await latestVerifications(store, undefined, true)).keys()]).toEqual(['192.0.2.1|tcp|22']);
    expect(await pendingVerifications(store)).toEqual([{ ip: '192.0.2.1', proto: 'tcp', port: 443 }]);
    expect((await verificationHistory(store, '192.0.2.1')).map((v) => `${v.port}:${v.status}`)).toEqual([
      '22:pending',
      '22:verified_open',
      '443:pending',
    ]);

    // the inventory's join of services, states and verifications (analyzer/inventory.ts)
    expect(
      (await inventory.services(store, { port: 443 })).map((r) => [r.ip, r.state, r.verification?.status]),
    ).toEqual([['192.0.2.1', 'stale', 'pending']]);
    const h = await inventory.host(store, '192.0.2.1');
    expect([h.services.length, h.history.length, h.verifications.length, h.alerts.length]).toEqual([1, 2, 3, 2]);

    await setMeta(store, 'first_start', '123');
    await setMeta(store, 'first_start', '456');
    expect(await getMeta(store, 'first_start')).toBe('456');
    expect(await getMeta(store, 'nope')).toBeNull();

    expect(await dropOldPartitions(store, 30)).toEqual([isoDay(old)]);
    expect((await serviceRows(store)).map((s) => s.ip)).toEqual(['192.0.2.1', '2001:db8::7']);
    expect(await store.version()).toMatch(/^\d+\.\d+/);
  });
});
