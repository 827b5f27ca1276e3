// One suite, three engines: every statement the store issues — schema creation and migration
// (store/migrate.ts), inserts, meta, the outbox's NOT IN and its delivery records, pending
// verifications, partition retention (store/writes.ts), states, the inventory and history
// queries, alerts and verifications (store/queries.ts) — runs against Debian's ClickHouse 18.16
// (HTTP), a current ClickHouse (26.x, in-process through `chdb`) and, in cluster mode
// (clickhouse.cluster), the local 18.16 cluster of 2 shards x 2 replicas (deploy/local.sh up
// --cluster clickhouse, started when down), with the same assertions;
// then the alert lifecycle (store/alert-events.ts) and the expected-service rules
// (store/expected-rules.ts); then what the console reads besides: the inventory's counts, alert
// counts, verifications newest first, the sensors' statuses (store/sensor-status.ts), the
// learning period; several sensors' Observations of a window counted once (the views of an older
// database redefined), the highest count stored per window and each sensor's own figures
// (store/sensor-counts.ts).

import { describe, expect, it } from 'vitest';
import * as lifecycle from '../../analyzer/alert/lifecycle.js';
import { addRule, loadStoredRules, removeRule, rulesInForce } from '../../analyzer/expected.js';
import { learningState, recordFirstStart } from '../../analyzer/learning.js';
import * as sensorsView from '../../analyzer/sensors.js';
import { sensorHistory, statusRow } from '../../analyzer/store/sensor-status.js';
import type { SensorStatus } from '../../schemas/status.js';
import { parseRule, type Rule } from '../../analyzer/expected-rules.js';
import * as inventory from '../../analyzer/inventory.js';
import { parseCidr } from '../../analyzer/policy.js';
import { IngestOffsets } from '../../analyzer/store/ingest-offsets.js';
import { lifecycles } from '../../analyzer/report.js';
import { foldExisting } from '../../analyzer/store/fold.js';
import { activeRuleRows, auditRows, latestRuleVersion } from '../../analyzer/store/expected-rules.js';
import { migrate } from '../../analyzer/store/migrate.js';
import { AGG_TABLES } from '../../schemas/aggregates.js';
import { createViewSql, viewName } from '../../schemas/ddl.js';
import { clusterViewSql } from '../../schemas/ddl-cluster.js';
import { highestStored, newestWindow } from '../../analyzer/store/sensor-counts.js';
import { pino } from 'pino';
import {
  alertRows,
  forEachState,
  latestVerifications,
  recentVerifications,
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
import { randomDb } from '../support/clickhouse.js';
import { sensorStatus } from '../support/sensor-status.js';
import { bothEngines } from '../support/engines.js';
import { observation } from '../support/observations.js';
import { DAY_MS, isoDay } from '../../common/time.js';

const { engines, cleanups } = bothEngines({ cluster: true });

describe.each(engines)('store on %s', (_name, make, cluster) => {
  /** A store on a new database of this engine, dropped at the end. */
  const newStore = () => {
    const engine = make();
    const db = randomDb();
    const store = new Store({ database: db, engine, cluster });
    cleanups.push(async () => {
      await engine.command(`DROP DATABASE IF EXISTS ${db}${store.onCluster}`).catch(() => {});
      await store.close();
    });
    return { engine, db, store };
  };

  it('creates, migrates, stores and queries the same way', async () => {
    const { engine, db, store } = newStore();
    expect(await migrate(store)).toEqual([]);
    expect(await migrate(store)).toEqual([]); // idempotent
    // a column dropped behind our back is added back by the migration
    await engine.command(`ALTER TABLE ${store.localTable('observations')}${store.onCluster} DROP COLUMN ingested_at`);
    expect(await migrate(store)).toEqual(['observations.ingested_at']);

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
    // (an Observation is inserted once: the analyzer skips what it stored before, by offset)
    const outside = (ip: string) => ip === '2001:db8::7';
    const rows = obs.map((o, i) => ({
      ...o,
      day: isoDay(o.window_start),
      client_outside: outside(o.ip) ? 1 : 0,
      ingested_at: Math.floor(now / 1000),
      clients_internal: outside(o.ip) ? 0 : o.clients,
      clients_internet: outside(o.ip) ? o.clients : 0,
      sample_clients: [o.sample_client],
      hll_internal: [],
      hll_internet: [],
      kafka_partition: 3,
      kafka_offset: 10 + i,
    }));
    await insertRows(store, 'observations', rows.slice(0, 2));
    await insertRows(store, 'observations', rows.slice(2));
    expect(await new IngestOffsets(store).floor(3)).toBe(13);
    expect(await new IngestOffsets(store).floor(4)).toBe(-1);

    const services = await inventory.services(store);
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
    expect((await inventory.services(store, { net: parseCidr('192.0.2.0/24')! })).map((s) => s.ip)).toEqual([
      '192.0.2.1',
    ]);
    expect((await inventory.services(store, { net: parseCidr('2001:db8::/32')! })).map((s) => s.ip)).toEqual([
      '2001:db8::7',
    ]);
    expect((await inventory.services(store, { port: 22 })).map((s) => s.ip)).toEqual(['2001:db8::7']);
    expect((await inventory.services(store, { internet: true })).map((s) => s.ip)).toEqual(['2001:db8::7']);
    expect((await inventory.services(store, { newSince: now - 60_000 })).map((s) => s.ip)).toEqual([
      '192.0.2.1',
      '2001:db8::7',
    ]);
    // pages: a cursor continues where the last page ended
    const [first] = await inventory.services(store, {}, 1);
    expect((await inventory.services(store, { after: first.cursor }, 5)).map((s) => s.ip)).toEqual([
      '198.51.100.3',
      '2001:db8::7',
    ]);
    const streamed: string[] = [];
    expect(await inventory.forEachService(store, {}, (page) => void streamed.push(...page.map((r) => r.ip)), 2)).toBe(
      3,
    );
    expect(streamed).toEqual(['192.0.2.1', '198.51.100.3', '2001:db8::7']);
    const day = (await inventory.host(store, '192.0.2.1')).history;
    expect(day.reduce((n, h) => n + h.handshakes, 0)).toBe(5);

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
    await insertRows(store, 'exposure_events', [
      { ip: '192.0.2.1', proto: 'tcp', port: 443, ts: 1, event: 'open', reason: 'new' },
      { ip: '192.0.2.1', proto: 'tcp', port: 443, ts: 2, event: 'close', reason: 'stale' },
      { ip: '192.0.2.1', proto: 'tcp', port: 443, ts: 7, event: 'open', reason: 'seen_again' },
      { ip: '192.0.2.1', proto: 'tcp', port: 443, ts: 7, event: 'open', reason: 'seen_again' },
    ]);
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
    expect((await inventory.services(store, { states: ['stale'] })).map((r) => r.ip)).toEqual(['192.0.2.1']);
    // derived states: a new endpoint is verifying while its newest verification is pending, then active
    const fresh = {
      ip: '2001:db8::7',
      proto: 'tcp',
      port: 22,
      since: 1,
      first_seen: 1,
      last_seen: 2,
      reason: 'alerted',
    };
    await insertRows(store, 'endpoint_states', [{ ...fresh, state: 'new', version: 1 }]);
    expect((await inventory.services(store, { states: ['new'] })).map((r) => r.ip)).toEqual(['2001:db8::7']);
    await insertRows(store, 'verifications', [{ ...ver(22, 4, 'pending'), ip: '2001:db8::7' }]);
    expect((await inventory.services(store, { states: ['verifying'] })).map((r) => r.ip)).toEqual(['2001:db8::7']);
    await insertRows(store, 'verifications', [{ ...ver(22, 5, 'verified_open'), ip: '2001:db8::7' }]);
    expect((await inventory.services(store, { states: ['active', 'verifying'] })).map((r) => r.state)).toEqual([
      'active',
    ]);
    expect((await inventory.services(store, { states: ['untracked'] })).map((r) => r.ip)).toEqual(['198.51.100.3']);
    const h = await inventory.host(store, '192.0.2.1');
    expect([h.services.length, h.verifications.length, h.alerts.length]).toEqual([1, 3, 2]);
    expect(h.intervals.map((i) => [i.start, i.end, i.ended_by])).toEqual([
      [1, 2, 'stale'],
      [7, null, null],
    ]);
    expect(h.services[0].exposed_since).toBe(7);

    await setMeta(store, 'first_start', '123');
    await setMeta(store, 'first_start', '456');
    expect(await getMeta(store, 'first_start')).toBe('456');
    expect(await getMeta(store, 'nope')).toBeNull();

    expect(await dropOldPartitions(store, 30)).toEqual([isoDay(old)]);
    // the inventory outlives the raw windows it was made from
    expect((await inventory.services(store)).map((s) => s.ip)).toEqual(['192.0.2.1', '198.51.100.3', '2001:db8::7']);
    expect(
      (await store.select<{ n: unknown }>('raw', `SELECT count() AS n FROM ${db}.observations`)).map((r) =>
        Number(r.n),
      ),
    ).toEqual([3]);
    expect(await store.version()).toMatch(/^\d+\.\d+/);

    // the alert lifecycle: filters in ClickHouse, latest event per alert, history, auto-resolve
    // (analyzer/alert/lifecycle.ts, store/alert-events.ts)
    await insertRows(store, 'alerts', [
      { ...alert('first_start_baseline|1'), kind: 'first_start_baseline', ip: '', port: 0, severity: 'medium' },
      { ...alert('new_service|2001:db8::7|tcp|22'), ip: '2001:db8::7', port: 22, severity: 'high', ts: now + 1 },
    ]);
    // (o1, the owned alert above, is left out of these lists: it only matters to the sinks)
    const ids = async (f: Partial<lifecycle.AlertFilter> = {}) =>
      (await lifecycle.listAlerts(store, { limit: 10, ...f })).map((a) => a.alert_id).filter((id) => id !== 'o1');
    const v6 = 'new_service|2001:db8::7|tcp|22';
    expect(await ids()).toEqual([v6, 'a1', 'a2', 'first_start_baseline|1', 'syn_proxy_host|192.0.2.9']);
    expect(await ids({ net: parseCidr('192.0.2.0/24')! })).toEqual(['a1', 'a2', 'syn_proxy_host|192.0.2.9']);
    expect(await ids({ net: parseCidr('2001:db8::/32')! })).toEqual([v6]);
    expect(await ids({ port: 22 })).toEqual([v6]);
    expect(await ids({ severity: 'high' })).toEqual([v6]);
    expect(await ids({ kind: 'syn_proxy_host' })).toEqual(['syn_proxy_host|192.0.2.9']);
    expect(await ids({ sinceMs: now + 1 })).toEqual([v6]);
    expect(await ids({ limit: 2 })).toEqual([v6, 'a1']);
    const acked = await lifecycle.changeAlerts(store, ['a1'], 'acknowledged', 'alice', 'looking', now + 10);
    await insertRows(store, 'alert_events', acked); // a retried insert collapses
    expect(await ids({ state: 'acknowledged' })).toEqual(['a1']);
    expect(await ids({ state: 'open' })).toEqual([v6, 'a2', 'first_start_baseline|1', 'syn_proxy_host|192.0.2.9']);
    const ep = { ip: '192.0.2.1', proto: 'tcp', port: 443 };
    expect(await lifecycle.resolveEndpointAlerts(store, [ep], 'exposure ended: stale', now + 20)).toBe(2);
    expect(await lifecycle.resolveEndpointAlerts(store, [ep], 'exposure ended: stale', now + 30)).toBe(0);
    // porthole report's reads: each exposure alert with its exposure's start, acknowledgement and close
    const life = new Map((await lifecycles(store, 0)).map((l) => [l.alert_id, l]));
    expect(life.get('a1')).toMatchObject({ owner: '', ts: now, start: 7, ack: now + 10, closed: now + 20 });
    expect(life.get('o1')).toMatchObject({ owner: 'web', start: null, ack: null, closed: null });
    expect(life.has('syn_proxy_host|192.0.2.9')).toBe(false);
    expect(await ids({ state: 'resolved' })).toEqual(['a1', 'a2']);
    expect(await ids({ state: 'acknowledged' })).toEqual([]);
    const [a1] = await lifecycle.listAlerts(store, { limit: 1, state: 'resolved' });
    expect(a1).toMatchObject({
      state: 'resolved',
      state_at: now + 20,
      actor: 'porthole',
      note: 'exposure ended: stale',
    });
    const shown = await lifecycle.showAlert(store, 'a1');
    expect(shown.events.map((e) => `${e.state}|${e.actor}|${e.note}`)).toEqual([
      'open|porthole|m',
      'acknowledged|alice|looking',
      'resolved|porthole|exposure ended: stale',
    ]);
    await expect(lifecycle.changeAlerts(store, ['a1'], 'acknowledged', 'bob', 'x')).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(lifecycle.changeAlerts(store, [v6, 'nope'], 'resolved', 'bob', 'x')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(lifecycle.showAlert(store, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await ids({ state: 'open' })).toEqual([v6, 'first_start_baseline|1', 'syn_proxy_host|192.0.2.9']);

    // expected-service rules: versions, overlap, removal, audit (analyzer/expected.ts, store/expected-rules.ts)
    const rule = (t: string) => parseRule(t) as Rule;
    await addRule(store, rule('10.1.0.0/16:443'), 'alice', 'web tier', 1000);
    await expect(addRule(store, rule('10.1.2.0/24:443'), 'bob', 'x', 1100)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('10.1.0.0/16:443'),
    });
    await addRule(store, rule('10.1.2.3/24:80'), 'bob', 'proxy', 1200);
    expect((await loadStoredRules(store)).map((r) => r.id)).toEqual(['10.1.0.0/16:443', '10.1.2.0/24:80']);
    await removeRule(store, rule('10.1.0.0/16:443'), 'carol', 'moved', 1300);
    await expect(removeRule(store, rule('10.1.0.0/16:443'), 'carol', 'again', 1400)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await activeRuleRows(store)).map((r) => [r.rule_id, r.actor, r.note])).toEqual([
      ['10.1.2.0/24:80', 'bob', 'proxy'],
    ]);
    expect(await latestRuleVersion(store, '10.1.0.0/16:443')).toBe(1300);
    expect(await latestRuleVersion(store, '10.9.0.0/16:443')).toBeNull();
    await addRule(store, rule('10.1.0.0/16:443'), 'alice', 'back', 500); // an older clock still makes a newer version
    expect((await loadStoredRules(store)).map((r) => r.id)).toEqual(['10.1.0.0/16:443', '10.1.2.0/24:80']);
    expect((await auditRows(store)).map((a) => `${a.ts}|${a.actor}|${a.action}|${a.rule_id}`)).toEqual([
      '1000|alice|add|10.1.0.0/16:443',
      '1200|bob|add|10.1.2.0/24:80',
      '1300|carol|remove|10.1.0.0/16:443',
      '1301|alice|add|10.1.0.0/16:443',
    ]);
  });

  it('folds rows stored before the aggregate tables existed into them, once', async () => {
    const { engine, db, store } = newStore();
    await migrate(store);
    // a database of the release before: the same tables, no views feeding the aggregates
    for (const t of AGG_TABLES)
      for (const src of t.sources) await engine.command(`DROP TABLE ${db}.${viewName(t, src)}${store.onCluster}`);
    const now = Date.now();
    const obs = [
      observation({ ip: '192.0.2.1', port: 22, window_start: now - 10_000, handshakes: 2, clients: 3 }),
      observation({ ip: '192.0.2.1', port: 22, window_start: now - 5000, handshakes: 4, clients: 1 }),
      observation({ ip: '192.0.2.9', port: 80, window_start: now - 5000, handshakes: 1 }),
    ];
    const rows = [...obs, obs[0]].map((o) => ({
      ...o,
      day: isoDay(o.window_start),
      client_outside: 0,
      ingested_at: 1,
    }));
    await insertRows(store, 'observations', rows); // with a duplicate: the old release collapsed it on read
    const state = (ip: string, port: number, st: string) => ({
      ip,
      proto: 'tcp',
      port,
      state: st,
      since: now - 100,
      first_seen: now - 9990,
      last_seen: now - 4100,
      reason: 'x',
      version: 1,
    });
    await insertRows(store, 'endpoint_states', [state('192.0.2.1', 22, 'new'), state('192.0.2.9', 80, 'stale')]);
    expect(await inventory.services(store)).toEqual([]);

    await migrate(store);
    // a row an older analyzer stores once the views exist is counted by them, not folded again
    await insertRows(store, 'observations', [
      { ...rows[2], window_start: now - 1000, ingested_at: Math.floor(Date.now() / 1000) + 1 },
    ]);
    const quiet = pino({ level: 'silent' });
    await foldExisting(store, quiet);
    await foldExisting(store, quiet); // once: a second start does not add them again
    const inv = await inventory.services(store);
    expect(inv.map((r) => [r.ip, r.port, r.handshakes, r.windows, r.clients, r.state])).toEqual([
      ['192.0.2.1', 22, 6, 2, 3, 'new'],
      ['192.0.2.9', 80, 2, 2, 2, 'stale'],
    ]);
    expect(inv.map((r) => [r.exposed_since, r.closed_at])).toEqual([
      [now - 9990, null],
      [null, now - 4100],
    ]);
    expect((await inventory.host(store, '192.0.2.1')).history.reduce((n, h) => n + h.handshakes, 0)).toBe(6);
  });

  it('counts several sensors’ Observations of a window once; redefines the views of an older database', async () => {
    const { engine, db, store } = newStore();
    await migrate(store);
    // the views as the release before defined them (every row counted whole), without a digest
    const fromObservations = AGG_TABLES.filter((t) => t.name !== 'ingest_offsets').flatMap((t) =>
      t.sources.filter((src) => src.table === 'observations').map((src) => ({ t, src })),
    );
    for (const { t, src } of fromObservations) {
      const older = (cluster ? clusterViewSql(db, t, src, cluster) : createViewSql(db, t, src))
        .replace('toUInt64(if(dup_handshakes < handshakes, handshakes - dup_handshakes, 0))', 'toUInt64(handshakes)')
        .replace('toUInt64(1 - dup_window)', 'toUInt64(1)');
      expect(older).not.toContain('dup_');
      await engine.command(`DROP TABLE ${db}.${viewName(t, src)}${store.onCluster}`);
      await engine.command(older);
      await setMeta(store, `view_digest|${viewName(t, src)}`, 'older');
    }
    expect(await newestWindow(store, 0)).toBe(-1); // nothing stored
    const w = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    let offset = 0;
    const row = (sensor: string, window_start: number, handshakes: number, dup_handshakes = 0, dup_window = 0) => {
      const o = observation({ ip: '192.0.2.5', port: 8443, window_start, handshakes, sensor });
      return {
        ...o,
        day: isoDay(window_start),
        client_outside: 0,
        ingested_at: Math.floor(Date.now() / 1000),
        kafka_partition: 0,
        kafka_offset: offset++,
        dup_handshakes,
        dup_window,
      };
    };
    // the release before stored two sensors' Observations of one window and counted both
    await insertRows(store, 'observations', [row('span', w, 5), row('tap', w, 5)]);
    const totals = async () => (await inventory.services(store)).map((r) => [r.handshakes, r.windows, r.sensors]);
    expect(await totals()).toEqual([[10, 2, ['span', 'tap']]]);
    expect(await migrate(store)).toEqual(fromObservations.map(({ t, src }) => `${viewName(t, src)} (redefined)`));
    expect(await migrate(store)).toEqual([]);
    // what the analyzer compares a new window with: the highest count stored, per stored window
    const key = (window_start: number) => ({ ip: '192.0.2.5', proto: 'tcp', port: 8443, window_start });
    expect(await highestStored(store, [key(w), key(w + 60_000)])).toEqual([{ ...key(w), highest: 5 }]);
    // rows stored before keep what they added; a new window counts once, with its highest count
    await insertRows(store, 'observations', [row('span', w + 60_000, 4)]);
    await insertRows(store, 'observations', [row('tap', w + 60_000, 6, 4, 1), row('lab', w + 60_000, 2, 2, 1)]);
    expect(await totals()).toEqual([[16, 3, ['lab', 'span', 'tap']]]);
    expect(await highestStored(store, [key(w + 60_000)])).toEqual([{ ...key(w + 60_000), highest: 6 }]);
    // no window stored from a partition is newer: its newest, or before the newest days stored
    expect(await newestWindow(store, 0)).toBe(w + 60_000);
    const dayBefore = Date.parse(isoDay(w + 60_000)) - DAY_MS;
    expect(await newestWindow(store, 5)).toBe(dayBefore - 1);
    const view = await inventory.host(store, '192.0.2.5');
    expect(view.history.reduce((n, h) => [n[0] + h.handshakes, n[1] + h.windows], [0, 0])).toEqual([16, 3]);
    // each sensor's own figures, from its raw windows
    expect(view.by_sensor.map((f) => [f.port, f.sensor, f.handshakes, f.windows])).toEqual([
      [8443, 'lab', 2, 1],
      [8443, 'span', 9, 2],
      [8443, 'tap', 11, 2],
    ]);
    expect(view.by_sensor[1]).toMatchObject({ first_seen: w + 10, last_seen: w + 60_000 + 900 });
  });

  it('counts the inventory as its filters list it; alert counts, verifications, sensor statuses, learning', async () => {
    const { store } = newStore();
    await migrate(store);
    const now = Date.now();
    const internal = { clients: 2, clients_internal: 2, clients_internet: 0, hll_internet: [] };
    const obs = [
      observation({ ip: '192.0.2.1', port: 443, window_start: now - 2 * 3_600_000 }), // new, internet
      observation({ ip: '192.0.2.2', port: 22, window_start: now - 3 * DAY_MS, ...internal }), // stale, internal
      observation({ ip: '198.51.100.3', port: 80, window_start: now - 3_600_000 }), // untracked
      observation({ ip: '192.0.2.3', port: 8080, window_start: now - 2 * DAY_MS }), // verifying
    ];
    await insertRows(
      store,
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
    const st = (ip: string, port: number, state: string) => ({
      ip,
      proto: 'tcp',
      port,
      state,
      since: 1,
      first_seen: 1,
      last_seen: 2,
      reason: 'x',
      version: 1,
    });
    await insertRows(store, 'endpoint_states', [
      st('192.0.2.1', 443, 'new'),
      st('192.0.2.2', 22, 'stale'),
      st('192.0.2.3', 8080, 'new'),
      st('192.0.2.4', 25, 'active'), // no windows stored: not listed, not counted
    ]);
    const ver = (ip: string, port: number, ts: number, status: string, request = '') => ({
      day: isoDay(ts),
      ip,
      proto: 'tcp',
      port,
      ts,
      status,
      nmap_state: '',
      reason: '',
      service: '',
      product: '',
      version: '',
      extrainfo: '',
      cpe: '',
      duration_ms: 1,
      attempt: 1,
      request,
    });
    await insertRows(store, 'verifications', [
      ver('192.0.2.3', 8080, now - 3000, 'pending', 'r-1'),
      ver('192.0.2.2', 22, now - 2000, 'closed_now'),
      ver('192.0.2.2', 22, now - 1000, 'verified_open'),
    ]);
    await insertRows(store, 'verifications', [ver('192.0.2.2', 22, now - 1000, 'verified_open')]); // twice

    const since = now - DAY_MS;
    const c = await inventory.inventorySummary(store, since);
    expect(c).toEqual({
      total: 4,
      new_since: 2,
      by_state: { new: 1, verifying: 1, active: 0, stale: 1, reopened: 0, untracked: 1, dormant: 0 },
      internet: 3,
      internal_only: 1,
    });
    // each count is the length of the list its filter gives
    const listed = async (f: inventory.ServicesFilter) => (await inventory.services(store, f)).length;
    expect(await listed({})).toBe(c.total);
    expect(await listed({ newSince: since })).toBe(c.new_since);
    expect(await listed({ internet: true })).toBe(c.internet);
    for (const [state, n] of Object.entries(c.by_state)) expect(await listed({ states: [state] })).toBe(n);

    // alert counts: the list's filters, no limit
    const alert = (id: string, port: number) => ({
      day: isoDay(now),
      alert_id: id,
      ts: now,
      kind: 'new_service',
      severity: 'low',
      ip: '192.0.2.1',
      proto: 'tcp',
      port,
      message: 'm',
      details: '{}',
      stored_at: now,
      net: '192.0.2.0/24',
      owner: '',
    });
    await insertRows(store, 'alerts', [alert('c1', 443), alert('c2', 22), alert('c1', 443), alert('c3', 80)]);
    await lifecycle.changeAlerts(store, ['c2'], 'acknowledged', 'ann', 'looking');
    await lifecycle.changeAlerts(store, ['c3'], 'resolved', 'ann', 'done');
    expect(await lifecycle.countAlerts(store, { state: 'open' })).toBe(1);
    expect(await lifecycle.countAlerts(store, {})).toBe(3);
    expect(await lifecycle.countAlerts(store, { port: 22, state: 'acknowledged' })).toBe(1);

    // verifications, newest first, each once
    const vs = await recentVerifications(store, { limit: 10 });
    expect(vs.map((v) => [v.ip, v.status, v.request])).toEqual([
      ['192.0.2.2', 'verified_open', ''],
      ['192.0.2.2', 'closed_now', ''],
      ['192.0.2.3', 'pending', 'r-1'],
    ]);
    expect((await recentVerifications(store, { ip: '192.0.2.3', limit: 10 })).map((v) => v.port)).toEqual([8080]);
    expect((await recentVerifications(store, { status: 'closed_now', limit: 10 })).length).toBe(1);
    expect((await recentVerifications(store, { limit: 1 })).map((v) => v.status)).toEqual(['verified_open']);

    // sensor statuses: latest per sensor (a message stored twice shows once), history bucketed
    const status = (sensor: string, ts: number, packets: number): SensorStatus =>
      sensorStatus({
        sensor,
        ts,
        packets,
        decoded: packets / 2,
        failures: { truncated: 1, not_tcp: 2 },
        handshakes: 3,
        dropped_before_kafka: 4,
        last_packet_ms: sensor === 's2' ? null : ts - 5,
        kernel_drops: sensor === 's2' ? null : 7,
        iface_drops: null,
        capture_state: sensor === 's2' ? 'waiting' : 'capturing',
      });
    const t0 = now - 600_000;
    const s1 = Array.from({ length: 50 }, (_, i) => statusRow(status('s1', t0 + i * 10_000, (i + 1) * 100)));
    await insertRows(store, 'sensor_status', s1.slice(0, 30));
    await insertRows(store, 'sensor_status', s1.slice(25)); // five twice
    await insertRows(store, 'sensor_status', [statusRow(status('s2', now - 120_000, 10))]);
    await insertRows(store, 'sensor_status', [statusRow(status('s3', now - 40 * DAY_MS, 10))]);
    const latest = await sensorsView.sensors(store);
    expect(latest.map((l) => [l.sensor, l.ts, l.packets, l.failures, l.kernel_drops, l.last_packet_ms])).toEqual([
      ['s1', t0 + 490_000, 5000, 3, 7, t0 + 489_995],
      ['s2', now - 120_000, 10, 3, 0, null],
      ['s3', now - 40 * DAY_MS, 10, 3, 7, now - 40 * DAY_MS - 5],
    ]);
    expect(latest[1].status).toMatchObject({ sensor: 's2', capture_state: 'waiting', kernel_drops: null });
    expect(latest.map((l) => sensorsView.healthy(l, t0 + 500_000))).toEqual([true, false, false]);
    const all = await sensorsView.history(store, 's1', t0);
    expect(all.map((p) => p.ts)).toEqual(s1.map((r) => r.ts));
    expect(all[0]).toEqual({
      ts: t0,
      packets: 100,
      decoded: 50,
      failures: 3,
      handshakes: 3,
      kernel_drops: 7,
      dropped_before_kafka: 4,
    });
    const ten = await sensorHistory(store, 's1', t0, 10);
    expect(ten.length).toBeLessThanOrEqual(10);
    expect(ten.length).toBeGreaterThanOrEqual(9);
    expect(ten.map((p) => p.ts)).toEqual([...ten.map((p) => p.ts)].sort((a, b) => a - b));
    expect(ten.at(-1)).toMatchObject({ ts: t0 + 490_000, packets: 5000 }); // a bucket is its last status
    expect(await sensorsView.history(store, 's1', now + 1)).toEqual([]);
    await dropOldPartitions(store, 30); // old statuses go with the raw windows
    expect((await sensorsView.sensors(store)).map((l) => l.sensor)).toEqual(['s1', 's2']);

    // the learning period and the rules in force
    expect(await learningState(store, 3_600_000, now)).toEqual({
      period_ms: 3_600_000,
      first_start: null,
      until: null,
      active: false,
    });
    expect(await recordFirstStart(store, now - 1000)).toBe(now - 1000);
    expect(await recordFirstStart(store, now)).toBe(now - 1000); // never moved
    expect(await learningState(store, 3_600_000, now)).toMatchObject({ until: now - 1000 + 3_600_000, active: true });
    expect((await learningState(store, 0, now)).active).toBe(false);
    const config = parseRule('10.0.0.0/8:443') as Rule;
    await addRule(store, parseRule('192.0.2.0/24:22') as Rule, 'ann', 'bastion', 5);
    expect(await rulesInForce(store, [config])).toEqual([
      { rule_id: '10.0.0.0/8:443', net: '10.0.0.0/8', port: 443, source: 'config', actor: '', note: '', version: 0 },
      {
        rule_id: '192.0.2.0/24:22',
        net: '192.0.2.0/24',
        port: 22,
        source: 'stored',
        actor: 'ann',
        note: 'bastion',
        version: 5,
      },
    ]);
  });
});
