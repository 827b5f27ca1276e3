// The write path of the analyzer and the verifier: typed inserts (row types from
// schemas/tables.ts), and the reads that feed it — known alert ids at start, the outbox's
// undelivered alerts and its delivery records, meta facts, pending verifications — plus
// retention. (Endpoint states are read with the inventory's queries: queries.ts.) Every statement runs on 18.16 and current ClickHouse
// (test/analyzer/store-engines.int.test.ts); literals only through compat.lit().

import { DAY_MS, isoDay } from '../../common/time.js';
import type { AlertRow, RowOfTable, TableName } from '../../schemas/tables.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

/** Insert rows of a table (JSONEachRow); nothing is sent for no rows. */
export function insertRows<N extends TableName>(s: Store, table: N, rows: readonly RowOfTable<N>[]): Promise<void> {
  return s.insertJson(table, rows);
}

/** The ids of every stored alert (an alert whose id is known is never raised again). */
export async function alertIds(s: Store): Promise<Set<string>> {
  const rows = await s.select<{ alert_id: string }>('alert ids', `SELECT DISTINCT alert_id FROM ${s.table('alerts')}`);
  return new Set(rows.map((r) => r.alert_id));
}

/** Alerts a sink has not taken yet, oldest first (the outbox). */
export async function undelivered(s: Store, sink: string, limit = 1000): Promise<AlertRow[]> {
  const rows = await s.select<Record<string, unknown>>(
    'undelivered alerts',
    `SELECT day, alert_id, ts, kind, severity, ip, proto, port, message, details FROM ${s.table('alerts')} FINAL
       WHERE alert_id NOT IN (SELECT alert_id FROM ${s.table('alert_deliveries')} WHERE sink = ${lit(sink)})
       ORDER BY ts LIMIT ${lit(limit)}`,
  );
  return rows.map((r) => ({ ...(r as unknown as AlertRow), ts: u64(r.ts), port: Number(r.port) }));
}

/** Record that `sink` took an alert (the outbox never delivers it there again). */
export function recordDelivery(s: Store, alertId: string, sink: string, at: number): Promise<void> {
  return insertRows(s, 'alert_deliveries', [{ alert_id: alertId, sink, delivered_at: at }]);
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

/** Drop day partitions of raw Observations older than `days`; returns the days dropped. */
export async function dropOldPartitions(s: Store, days: number): Promise<string[]> {
  const cutoff = isoDay(Date.now() - days * DAY_MS);
  const parts = await s.select<{ p: string }>(
    'partitions',
    `SELECT DISTINCT toString(min_date) AS p FROM system.parts WHERE database = ${lit(s.db)} AND table = 'observations' AND active AND max_date < ${lit(cutoff)}`,
  );
  for (const { p } of parts)
    await s.command('drop partition', `ALTER TABLE ${s.table('observations')} DROP PARTITION ${lit(p)}`);
  return parts.map((x) => x.p);
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
