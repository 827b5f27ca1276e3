// The sensors' health in ClickHouse: a status message as a `sensor_status` row (its counters as
// columns, the whole message beside them), each sensor's latest status, and one sensor's
// counters over time, bucketed in SQL to at most `maxPoints` points. A message stored twice is
// one row once merged (ReplacingMergeTree on sensor and ts): reads collapse repeated rows
// themselves. Every statement runs on 18.16 and current ClickHouse
// (test/analyzer/store-engines.int.test.ts).

import { isoDay } from '../../common/time.js';
import type { SensorStatus } from '../../schemas/status.js';
import type { RowOfTable } from '../../schemas/tables.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';
import { insertRows } from './writes.js';

export type SensorStatusRow = RowOfTable<'sensor_status'>;

/** A validated status message as its row. */
export function statusRow(m: SensorStatus): SensorStatusRow {
  return {
    day: isoDay(m.ts),
    sensor: m.sensor,
    ts: m.ts,
    source: m.source,
    packets: m.packets,
    decoded: m.decoded,
    failures: Object.values(m.failures).reduce((a, b) => a + b, 0),
    handshakes: m.handshakes,
    kernel_drops: m.kernel_drops ?? 0,
    dropped_before_kafka: m.dropped_before_kafka,
    last_packet_ms: m.last_packet_ms ?? 0,
    capture_state: m.capture_state,
    message: JSON.stringify(m),
  };
}

export function insertStatusRows(s: Store, rows: SensorStatusRow[]): Promise<void> {
  return insertRows(s, 'sensor_status', rows);
}

export interface LatestStatus {
  sensor: string;
  ts: number;
  source: string;
  packets: number;
  decoded: number;
  failures: number;
  handshakes: number;
  kernel_drops: number;
  dropped_before_kafka: number;
  /** null: no packet yet */
  last_packet_ms: number | null;
  capture_state: string;
  /** the whole message as the sensor sent it */
  status: Record<string, unknown>;
}

/**
 * Each sensor's latest status, by sensor. The latest times are found on the key columns alone;
 * only those rows' other columns (the message) are read (PREWHERE).
 */
export async function latestSensorStatus(s: Store): Promise<LatestStatus[]> {
  const t = s.table('sensor_status');
  const rows = await s.select<Record<string, unknown>>(
    'latest sensor status',
    `SELECT sensor, ts, source, packets, decoded, failures, handshakes, kernel_drops, dropped_before_kafka,
            last_packet_ms, capture_state, message
       FROM ${t} PREWHERE (sensor, ts) IN (SELECT sensor, max(ts) FROM ${t} GROUP BY sensor)
      ORDER BY sensor`,
  );
  const out: LatestStatus[] = [];
  for (const r of rows) {
    if (out.at(-1)?.sensor === r.sensor) continue; // the same message stored twice, not merged yet
    let status: Record<string, unknown>;
    try {
      status = JSON.parse(r.message as string) as Record<string, unknown>;
    } catch {
      status = {};
    }
    const last = u64(r.last_packet_ms);
    out.push({
      sensor: r.sensor as string,
      ts: u64(r.ts),
      source: r.source as string,
      packets: u64(r.packets),
      decoded: u64(r.decoded),
      failures: u64(r.failures),
      handshakes: u64(r.handshakes),
      kernel_drops: u64(r.kernel_drops),
      dropped_before_kafka: u64(r.dropped_before_kafka),
      last_packet_ms: last > 0 ? last : null,
      capture_state: r.capture_state as string,
      status,
    });
  }
  return out;
}

export interface StatusPoint {
  ts: number;
  packets: number;
  decoded: number;
  failures: number;
  handshakes: number;
  kernel_drops: number;
  dropped_before_kafka: number;
}

/**
 * One sensor's counters from `fromMs` on, oldest first. Past `maxPoints` statuses the range is
 * cut into equal buckets and each bucket is its last status (the counters are cumulative, so
 * the last one carries the bucket); a status stored twice counts once either way.
 */
export async function sensorHistory(
  s: Store,
  sensor: string,
  fromMs: number,
  maxPoints: number,
): Promise<StatusPoint[]> {
  const t = s.table('sensor_status');
  const where = `WHERE day >= toDate(${lit(isoDay(fromMs))}) AND sensor = ${lit(sensor)} AND ts >= ${lit(fromMs)}`;
  const [span] = await s.select<{ n: unknown; lo: unknown; hi: unknown }>(
    'sensor status span',
    `SELECT uniqExact(ts) AS n, min(ts) AS lo, max(ts) AS hi FROM ${t} ${where}`,
  );
  const n = u64(span?.n ?? 0);
  if (n === 0) return [];
  const lo = u64(span.lo);
  // buckets counted from the first status: ceil(range / width) <= maxPoints
  const width = n <= maxPoints ? 1 : Math.ceil((u64(span.hi) - lo + 1) / maxPoints);
  const rows = await s.select<Record<string, unknown>>(
    'sensor status history',
    `SELECT intDiv(ts - ${lit(lo)}, ${lit(width)}) AS b, max(ts) AS at, argMax(packets, ts) AS p, argMax(decoded, ts) AS d,
            argMax(failures, ts) AS f, argMax(handshakes, ts) AS h, argMax(kernel_drops, ts) AS k,
            argMax(dropped_before_kafka, ts) AS q
       FROM ${t} ${where} GROUP BY b ORDER BY b`,
  );
  return rows.map((r) => ({
    ts: u64(r.at),
    packets: u64(r.p),
    decoded: u64(r.d),
    failures: u64(r.f),
    handshakes: u64(r.h),
    kernel_drops: u64(r.k),
    dropped_before_kafka: u64(r.q),
  }));
}
