// Reads of the raw Observations across sensors: the highest count stored for an endpoint's window
// and the newest window stored from a Kafka partition (what analyzer/window-counts.ts compares a
// new Observation with, after a restart or for an old window), and each sensor's own figures for one host (the inventory counts a window once across
// sensors; these show what every sensor reported). Every statement runs on 18.16 and current
// ClickHouse (test/analyzer/store-engines.int.test.ts); literals only through compat.lit().

import { DAY_MS, isoDay } from '../../common/time.js';
import type { CountKey, StoredCounts } from '../window-counts.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

/** Keys asked at once: the statement stays well under ClickHouse's query size limit. */
const KEYS_PER_READ = 500;

/** The highest handshakes any sensor's stored Observation holds for each key stored at all. */
export async function highestStored(
  s: Store,
  keys: readonly CountKey[],
): Promise<Array<CountKey & { highest: number }>> {
  const out: Array<CountKey & { highest: number }> = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_READ) {
    const chunk = keys.slice(i, i + KEYS_PER_READ);
    const days = [...new Set(chunk.map((k) => isoDay(k.window_start)))];
    const ips = [...new Set(chunk.map((k) => k.ip))];
    const tuples = chunk.map((k) => `(${lit(k.ip)}, ${lit(k.proto)}, ${lit(k.port)}, ${lit(k.window_start)})`);
    // day and address first: they prune partitions and use the key's index on 18.16
    const rows = await s.select<{ ip: string; proto: string; port: number; w: unknown; h: unknown }>(
      'highest stored counts',
      `SELECT ip, proto, port, window_start AS w, max(handshakes) AS h FROM ${s.table('observations')}
       WHERE day IN (${days.map(lit).join(', ')}) AND ip IN (${ips.map(lit).join(', ')})
         AND (ip, proto, port, window_start) IN (${tuples.join(', ')})
       GROUP BY ip, proto, port, window_start`,
    );
    for (const r of rows)
      out.push({ ip: r.ip, proto: r.proto, port: Number(r.port), window_start: u64(r.w), highest: u64(r.h) });
  }
  return out;
}

/**
 * A window_start no Observation stored from `partition` is later than (-1: none stored): the
 * newest of the partition's rows in the newest two days stored (found from the parts' date
 * ranges, every shard's in cluster mode, so the whole table is not read), else the start of those
 * days. Without parts to read the days from (none stored) every row is read.
 */
export async function newestWindow(s: Store, partition: number): Promise<number> {
  const [p] = await s.select<{ d: string; n: unknown }>(
    'newest day stored',
    `SELECT toString(max(max_date)) AS d, count() AS n ${s.partsOf('observations')} AND active`,
  );
  const parts = u64(p.n) > 0;
  const [r] = await s.select<{ c: unknown; w: unknown }>(
    'newest window stored',
    `SELECT count() AS c, max(window_start) AS w FROM ${s.table('observations')}
     WHERE ${parts ? `day >= toDate(${lit(p.d)}) - 1 AND ` : ''}kafka_partition = ${lit(partition)}`,
  );
  if (u64(r.c) > 0) return u64(r.w);
  return parts ? Date.parse(p.d) - DAY_MS - 1 : -1;
}

/** The reads window-counts.ts needs, on this store. */
export function storedCounts(s: Store): StoredCounts {
  return { highest: (keys) => highestStored(s, keys), newestWindow: (p) => newestWindow(s, p) };
}

/** What one sensor reported of one endpoint. */
export interface SensorFigures {
  port: number;
  proto: string;
  sensor: string;
  /** its own count, summed over its windows */
  handshakes: number;
  /** windows it reported the endpoint in */
  windows: number;
  first_seen: number;
  last_seen: number;
}

/** Each sensor's own figures for a host's endpoints, from its windows starting at `fromMs` on. */
export async function sensorFigures(s: Store, ip: string, fromMs: number): Promise<SensorFigures[]> {
  const rows = await s.select<Record<string, unknown>>(
    'figures per sensor',
    `SELECT port, proto, sensor, sum(handshakes) AS h, count() AS w, min(first_seen) AS fs, max(last_seen) AS ls
     FROM ${s.table('observations')} FINAL
     WHERE ip = ${lit(ip)} AND day >= ${lit(isoDay(fromMs))} AND window_start >= ${lit(fromMs)}
     GROUP BY port, proto, sensor ORDER BY port, proto, sensor`,
  );
  return rows.map((r) => ({
    port: Number(r.port),
    proto: r.proto as string,
    sensor: r.sensor as string,
    handshakes: u64(r.h),
    windows: u64(r.w),
    first_seen: u64(r.fs),
    last_seen: u64(r.ls),
  }));
}
