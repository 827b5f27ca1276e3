// The write path of the analyzer and the verifier: typed inserts (row types from
// schemas/tables.ts), and the reads that feed it — flagged hosts and the first-start count, the outbox's
// undelivered alerts, digests and delivery records, meta facts, pending verifications — plus
// retention. (Endpoint states are read with the inventory's queries: queries.ts.) Every statement runs on 18.16 and current ClickHouse
// (test/analyzer/store-engines.int.test.ts); literals only through compat.lit().

import { DAY_MS, isoDay } from '../../common/time.js';
import type { AlertRow, RowOfTable, TableName } from '../../schemas/tables.js';
import { lit, u64 } from './compat.js';
import { TOPICS } from '../../schemas/topics.js';
import type { Store } from './store.js';

/** Insert rows of a table (JSONEachRow); nothing is sent for no rows. */
export function insertRows<N extends TableName>(s: Store, table: N, rows: readonly RowOfTable<N>[]): Promise<void> {
  return s.insertJson(table, rows);
}

/** Hosts flagged as SYN proxies (their ports are not alerted one by one). */
export async function flaggedHosts(s: Store): Promise<string[]> {
  const rows = await s.select<{ ip: string }>(
    'flagged hosts',
    `SELECT DISTINCT ip FROM ${s.table('alerts')} WHERE kind = ${lit('syn_proxy_host')}`,
  );
  return rows.map((r) => r.ip);
}

/** new_service alerts raised at or after `sinceMs` (the first-start limit after a restart). */
export async function newServiceAlertsSince(s: Store, sinceMs: number): Promise<number> {
  const rows = await s.select<{ c: unknown }>(
    'new alerts',
    `SELECT uniqExact(alert_id) AS c FROM ${s.table('alerts')} WHERE kind = ${lit('new_service')} AND ts >= ${lit(sinceMs)}`,
  );
  return u64(rows[0]?.c ?? 0);
}

/** Deliveries older than the cursor by more than this are not looked at (an alert is stored before it is delivered). */
const DELIVERY_LOOKBACK_MS = DAY_MS;
/**
 * Alerts are partitioned by the day they were raised; one written later than that by more than
 * this (held back by a longer ClickHouse outage, past the Observations' own Kafka retention)
 * is not looked for.
 */
const LATE_WRITE_MS = TOPICS.observations.retentionMs;

/**
 * A sink as the outbox reads alerts for it: its name (its deliveries are recorded under it) and,
 * for a sink that takes one owner's alerts only, that owner ('': the alerts with no owner).
 */
export interface SinkScope {
  name: string;
  owner?: string;
}

/**
 * Alerts a sink has not taken yet among those written at or after `fromMs` (the sink's outbox
 * cursor) and in its scope, oldest write first, at most `limit`. Bounded whatever the backlog: only the day
 * partitions from the cursor on, and only the deliveries since a day before it, are read.
 */
export async function undelivered(
  s: Store,
  sink: SinkScope,
  fromMs: number,
  limit: number,
  net?: string,
): Promise<AlertRow[]> {
  const rows = await s.select<Record<string, unknown>>(
    'undelivered alerts',
    `SELECT day, alert_id, ts, kind, severity, ip, proto, port, message, details, stored_at, net, owner FROM ${s.table('alerts')} FINAL
       WHERE ${waiting(s, sink, fromMs)}${net === undefined ? '' : ` AND net = ${lit(net)}`}
       ORDER BY stored_at, alert_id LIMIT ${lit(limit)}`,
  );
  return rows.map(alertRow);
}

/** The networks with the most alerts waiting for a sink (digests are made for these first). */
export async function waitingNetworks(
  s: Store,
  sink: SinkScope,
  fromMs: number,
  limit: number,
): Promise<Array<{ net: string; alerts: number }>> {
  const rows = await s.select<{ net: string; c: unknown }>(
    'waiting networks',
    `SELECT net, count() AS c, min(stored_at) AS first FROM ${s.table('alerts')} FINAL
       WHERE ${waiting(s, sink, fromMs)} GROUP BY net ORDER BY c DESC, first LIMIT ${lit(limit)}`,
  );
  return rows.map((r) => ({ net: r.net, alerts: u64(r.c) }));
}

/** The condition "written since the cursor, in the sink's scope, not taken by it", bounded (see above). */
function waiting(s: Store, sink: SinkScope, fromMs: number): string {
  return `day >= toDate(${lit(isoDay(Math.max(0, fromMs - LATE_WRITE_MS)))}) AND stored_at >= ${lit(fromMs)}${
    sink.owner === undefined ? '' : ` AND owner = ${lit(sink.owner)}`
  }
         AND alert_id NOT IN (SELECT alert_id FROM ${s.table('alert_deliveries')}
                              WHERE sink = ${lit(sink.name)} AND delivered_at >= ${lit(Math.max(0, fromMs - DELIVERY_LOOKBACK_MS))})`;
}

function alertRow(r: Record<string, unknown>): AlertRow {
  return {
    ...(r as unknown as AlertRow),
    ts: u64(r.ts),
    port: Number(r.port),
    stored_at: u64(r.stored_at),
  };
}

/** Record that a sink took these alerts (or digests); the outbox never sends them there again. */
export function recordDeliveries(s: Store, rows: RowOfTable<'alert_deliveries'>[]): Promise<void> {
  return insertRows(s, 'alert_deliveries', rows);
}

export type DigestRow = RowOfTable<'alert_digests'>;

/** Digests stored for a sink since `fromMs` and not delivered yet (a crash between the two). */
export async function undeliveredDigests(s: Store, sink: string, fromMs: number): Promise<DigestRow[]> {
  const from = Math.max(0, fromMs - DELIVERY_LOOKBACK_MS);
  const rows = await s.select<Record<string, unknown>>(
    'undelivered digests',
    `SELECT day, digest_id, sink, ts, scope, severity, alert_count, alert_ids, message FROM ${s.table('alert_digests')} FINAL
       WHERE sink = ${lit(sink)} AND ts >= ${lit(from)}
         AND digest_id NOT IN (SELECT alert_id FROM ${s.table('alert_deliveries')}
                               WHERE sink = ${lit(sink)} AND delivered_at >= ${lit(from)})
       ORDER BY ts`,
  );
  return rows.map((r) => ({ ...(r as unknown as DigestRow), ts: u64(r.ts), alert_count: Number(r.alert_count) }));
}

/** Alerts by id (a stored digest's members, to send it again). */
export async function alertsById(s: Store, ids: string[]): Promise<AlertRow[]> {
  if (ids.length === 0) return [];
  const rows = await s.select<Record<string, unknown>>(
    'alerts by id',
    `SELECT day, alert_id, ts, kind, severity, ip, proto, port, message, details, stored_at, net, owner FROM ${s.table('alerts')} FINAL
       WHERE alert_id IN (${ids.map((id) => lit(id)).join(', ')}) ORDER BY ts`,
  );
  return rows.map(alertRow);
}

export async function getMeta(s: Store, key: string): Promise<string | null> {
  const rows = await s.select<{ value: string }>(
    'meta',
    `SELECT value FROM ${s.table('meta')} FINAL WHERE key = ${lit(key)}`,
  );
  return rows[0]?.value ?? null;
}

export function setMeta(s: Store, key: string, value: string): Promise<void> {
  return insertRows(s, 'meta', [{ key, value, version: Date.now() }]);
}

/** Drop day partitions of raw Observations (hourly rollups, sensor statuses) older than `days`; returns the raw days dropped. */
export async function dropOldPartitions(s: Store, days: number): Promise<string[]> {
  const cutoff = isoDay(Date.now() - days * DAY_MS);
  const dropped: string[] = [];
  // raw windows, hourly rollups and sensor statuses (all by day) go; the inventory and daily rollups stay
  for (const table of ['observations', 'rollup_hourly', 'sensor_status'] as const) {
    const parts = await s.select<{ p: string }>(
      'partitions',
      `SELECT DISTINCT toString(min_date) AS p ${s.partsOf(table)} AND active AND max_date < ${lit(cutoff)}`,
    );
    for (const { p } of parts) {
      // in cluster mode on every shard (a shard without the partition drops nothing)
      await s.command('drop partition', `ALTER TABLE ${s.localTable(table)}${s.onCluster} DROP PARTITION ${lit(p)}`);
      if (table === 'observations') dropped.push(p);
    }
  }
  return dropped;
}

/** Endpoints whose newest verification row is still `pending` (resumed at verifier start). */
export async function pendingVerifications(s: Store): Promise<Array<{ ip: string; proto: string; port: number }>> {
  const rows = await s.select<Record<string, unknown>>(
    'pending',
    `
      SELECT ip, proto, port FROM ${s.table('verifications')} GROUP BY ip, proto, port HAVING argMax(status, ts) = ${lit('pending')}`,
  );
  return rows.map((r) => ({ ip: r.ip as string, proto: r.proto as string, port: Number(r.port) }));
}
