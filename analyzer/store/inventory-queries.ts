// Reads of the aggregate tables: a page of the inventory (filters on the key — address, network,
// port — in WHERE, on merged values — state, first seen, exposure — in HAVING), one host's
// rollups and exposure events. A page is chosen first with only the states its filters need
// merged, then only its rows are merged whole, so a page costs about the same whatever the
// inventory's size and the raw windows are never read. Rows keep ClickHouse's names and
// encodings; analyzer/inventory.ts turns them into what people read. Every statement runs on
// 18.16 and current ClickHouse (test/analyzer/store-engines.int.test.ts).

import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

/** The state people see: the stored one, `verifying`/`active` derived from the newest verification. */
const SHOWN_STATE = `multiIf(argMaxMerge(state) = '', 'untracked',
  argMaxMerge(state) = 'new' AND argMaxMerge(v_status) = 'pending', 'verifying',
  argMaxMerge(state) = 'new' AND argMaxMerge(v_status) != '', 'active', argMaxMerge(state))`;

const MERGED = `ip, hex(ip_num) AS ip_hex, proto, port,
  minMerge(first_seen) AS fs, maxMerge(last_seen) AS ls, sumMerge(handshakes) AS hs, sumMerge(windows) AS ws,
  maxMerge(clients_max) AS cm, maxMerge(internal_max) AS im, maxMerge(internet_max) AS xm,
  maxForEachMerge(hll_internal) AS hi, maxForEachMerge(hll_internet) AS hx, topKArrayMerge(10)(top_clients) AS tc,
  groupUniqArrayMerge(sensors) AS sn, groupUniqArrayMerge(vlans) AS vl, maxMerge(full_handshake) AS fh,
  argMaxMerge(ttl) AS h_ttl, argMaxMerge(tcp_window) AS h_win, argMaxMerge(mss) AS h_mss,
  ${SHOWN_STATE} AS shown, argMaxMerge(state_since) AS ss, argMaxMerge(state_reason) AS sr,
  maxMerge(v_ts) AS vts, argMaxMerge(v_status) AS vst, argMaxMerge(v_service) AS vsv, argMaxMerge(v_product) AS vpr,
  argMaxMerge(v_version) AS vvr, argMaxMerge(v_extrainfo) AS vex, argMaxMerge(v_cpe) AS vcp, argMaxMerge(v_reason) AS vrs,
  maxMerge(opened_at) AS oa, maxMerge(closed_at) AS ca`;

/** An inventory row as ClickHouse returns it (UInt64 may be quoted: read with u64). */
export interface InventoryRecord {
  ip: string;
  ip_hex: string;
  proto: string;
  port: number;
  fs: unknown;
  ls: unknown;
  hs: unknown;
  ws: unknown;
  cm: number;
  im: number;
  xm: number;
  hi: number[];
  hx: number[];
  tc: string[];
  sn: string[];
  vl: Array<number | string>;
  fh: number;
  h_ttl: number;
  h_win: number;
  h_mss: number;
  shown: string;
  ss: unknown;
  sr: string;
  vts: unknown;
  vst: string;
  vsv: string;
  vpr: string;
  vvr: string;
  vex: string;
  vcp: string;
  vrs: string;
  oa: unknown;
  ca: unknown;
}

export interface InventoryFilter {
  ip?: string;
  /** address range, first and last as 32 hex digits (policy.cidrRangeHex) */
  net?: [string, string];
  port?: number;
  /** shown states (new, verifying, active, stale, reopened, untracked) */
  states?: string[];
  /** first seen at or after (ms) */
  newSince?: number;
  /** only endpoints that internet clients reached */
  internet?: boolean;
  /** keyset cursor: rows after this endpoint (in address, port, protocol order) */
  after?: { ipHex: string; port: number; proto: string };
}

const fixed = (hex: string): string => `toFixedString(unhex(${lit(hex)}), 16)`;

function keyConditions(f: InventoryFilter): string[] {
  const w: string[] = [];
  if (f.ip) w.push(`ip = ${lit(f.ip)}`);
  if (f.port !== undefined) w.push(`port = ${lit(f.port)}`);
  if (f.net) w.push(`ip_num BETWEEN ${fixed(f.net[0])} AND ${fixed(f.net[1])}`);
  if (f.after) {
    const a = f.after;
    w.push(
      `(ip_num > ${fixed(a.ipHex)} OR (ip_num = ${fixed(a.ipHex)} AND (port > ${lit(a.port)} OR (port = ${lit(a.port)} AND proto > ${lit(a.proto)}))))`,
    );
  }
  return w;
}

function mergedConditions(f: InventoryFilter): string[] {
  // an endpoint only known from states or verifications (its windows never stored) is not listed
  const h = ['sumMerge(windows) > 0'];
  if (f.states?.length) h.push(`${SHOWN_STATE} IN (${f.states.map(lit).join(', ')})`);
  if (f.newSince !== undefined) h.push(`minMerge(first_seen) >= ${lit(f.newSince)}`);
  if (f.internet) h.push('maxMerge(internet_max) > 0');
  return h;
}

const ORDER = 'ORDER BY ip_num, port, proto';
const GROUP = 'GROUP BY ip_num, proto, port, ip';

/** Up to `limit` inventory rows matching the filter, in address, port, protocol order. */
export async function inventoryPage(s: Store, f: InventoryFilter, limit: number): Promise<InventoryRecord[]> {
  const where = keyConditions(f);
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const t = s.table('inventory');
  return s.select<InventoryRecord>(
    'inventory',
    `SELECT ${MERGED} FROM ${t}
     WHERE (ip_num, proto, port) IN (
       SELECT ip_num, proto, port FROM ${t} ${whereSql} ${GROUP}
       HAVING ${mergedConditions(f).join(' AND ')} ${ORDER} LIMIT ${lit(limit)})
     ${GROUP} ${ORDER}`,
  );
}

export interface RollupRecord {
  port: number;
  proto: string;
  bucket: number;
  handshakes: number;
  windows: number;
  clients_max: number;
  hll: number[];
  internet_max: number;
}

/** One host's daily (or hourly) rollups from `fromMs` on, by port then time. */
export async function hostRollups(
  s: Store,
  ip: string,
  table: 'rollup_daily' | 'rollup_hourly',
  fromMs: number,
): Promise<RollupRecord[]> {
  const rows = await s.select<Record<string, unknown>>(
    'rollups',
    `SELECT port, proto, bucket, sumMerge(handshakes) AS h, sumMerge(windows) AS w, maxMerge(clients_max) AS c,
            maxForEachMerge(hll_internal) AS hi, maxForEachMerge(hll_internet) AS hx, maxMerge(internet_max) AS x
     FROM ${s.table(table)} WHERE ip = ${lit(ip)} AND bucket >= ${lit(fromMs)}
     GROUP BY ip_num, proto, port, ip, bucket ORDER BY port, proto, bucket`,
  );
  return rows.map((r) => ({
    port: Number(r.port),
    proto: r.proto as string,
    bucket: u64(r.bucket),
    handshakes: u64(r.h),
    windows: u64(r.w),
    clients_max: Number(r.c),
    hll: mergeMax(r.hi as number[], r.hx as number[]),
    internet_max: Number(r.x),
  }));
}

function mergeMax(a: number[], b: number[]): number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return a.map((v, i) => Math.max(v, b[i] ?? 0));
}

export interface ExposureEvent {
  port: number;
  proto: string;
  ts: number;
  event: 'open' | 'close';
  reason: string;
}

/** One host's exposure events, by port then time (duplicates collapsed). */
export async function exposureEvents(s: Store, ip: string): Promise<ExposureEvent[]> {
  const rows = await s.select<Record<string, unknown>>(
    'exposure events',
    `SELECT port, proto, ts, event, any(reason) AS r FROM ${s.table('exposure_events')} WHERE ip = ${lit(ip)}
     GROUP BY port, proto, ts, event ORDER BY port, proto, ts, event DESC`,
  );
  return rows.map((r) => ({
    port: Number(r.port),
    proto: r.proto as string,
    ts: u64(r.ts),
    event: r.event as 'open' | 'close',
    reason: r.r as string,
  }));
}
