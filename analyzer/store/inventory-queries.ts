// Reads of the aggregate tables: a page of the inventory (filters on the key — address, network,
// port — in WHERE, on merged values — state, first seen, exposure — in HAVING), one host's
// rollups and exposure events. A page is chosen first with only the states its filters need
// merged, then only its rows are merged whole, so a page costs about the same whatever the
// inventory's size and the raw windows are never read. Rows keep ClickHouse's names and
// encodings; analyzer/inventory.ts turns them into what people read. Every statement runs on
// 18.16 and current ClickHouse (test/analyzer/store-engines.int.test.ts).

import { HLL_REGISTERS, hllEstimateSql as estimateSql } from '../../common/hll.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

/**
 * The state people see: the stored one, `verifying`/`active` derived from the newest verification;
 * `dormant` for an endpoint only sweeps found open (never seen on the mirror).
 */
const SHOWN_STATE = `multiIf(sumMerge(windows) = 0, 'dormant', argMaxMerge(state) = '', 'untracked',
  argMaxMerge(state) = 'new' AND argMaxMerge(v_status) = 'pending', 'verifying',
  argMaxMerge(state) = 'new' AND argMaxMerge(v_status) != '', 'active', argMaxMerge(state))`;

/** Both zones' sketches merged (element-wise max; an empty sketch is the other). */
const UNION = `arrayMap((a, b) -> greatest(a, b),
  arrayResize(maxForEachMerge(hll_internal), ${HLL_REGISTERS}), arrayResize(maxForEachMerge(hll_internet), ${HLL_REGISTERS}))`;

const MERGED = `ip, hex(ip_num) AS ip_hex, proto, port,
  minMerge(first_seen) AS fs, maxMerge(last_seen) AS ls, sumMerge(handshakes) AS hs, sumMerge(windows) AS ws,
  maxMerge(clients_max) AS cm, maxMerge(internal_max) AS im, maxMerge(internet_max) AS xm,
  ${estimateSql('maxForEachMerge(hll_internal)')} AS ei, ${estimateSql('maxForEachMerge(hll_internet)')} AS ex,
  ${estimateSql(UNION)} AS ea, argMaxMerge(recent_clients) AS rc,
  groupUniqArrayMerge(sensors) AS sn, groupUniqArrayMerge(vlans) AS vl, maxMerge(full_handshake) AS fh,
  argMaxMerge(ttl) AS h_ttl, argMaxMerge(tcp_window) AS h_win, argMaxMerge(mss) AS h_mss,
  ${SHOWN_STATE} AS shown, argMaxMerge(state_since) AS ss, argMaxMerge(state_reason) AS sr,
  maxMerge(v_ts) AS vts, argMaxMerge(v_status) AS vst, argMaxMerge(v_service) AS vsv, argMaxMerge(v_product) AS vpr,
  argMaxMerge(v_version) AS vvr, argMaxMerge(v_extrainfo) AS vex, argMaxMerge(v_cpe) AS vcp, argMaxMerge(v_reason) AS vrs,
  maxMerge(opened_at) AS oa, maxMerge(closed_at) AS ca,
  minMerge(a_first_seen) AS afs, maxMerge(a_last_seen) AS als, argMaxMerge(a_sweep) AS asw`;

/** An endpoint is listed once the mirror saw it serve or a sweep found it open. */
const LISTED = '(sumMerge(windows) > 0 OR maxMerge(a_last_seen) > 0)';

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
  /** estimated distinct internal, internet and all clients (sketches only) */
  ei: number;
  ex: number;
  ea: number;
  rc: string[];
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
  /** first and newest sweep that found it open (0: none), and the newest one's id */
  afs: unknown;
  als: unknown;
  asw: string;
}

export interface InventoryFilter {
  /** address range (one address: first and last the same), first and last as 32 hex digits (policy.cidrRangeHex) */
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
  // an endpoint only known from states or verifications (neither seen on the mirror nor found
  // open by a sweep) is not listed
  const h = [LISTED];
  if (f.states?.length) h.push(`${SHOWN_STATE} IN (${f.states.map(lit).join(', ')})`);
  if (f.newSince !== undefined) h.push(`minMerge(first_seen) >= ${lit(f.newSince)}`);
  if (f.internet) h.push('maxMerge(internet_max) > 0');
  return h;
}

const ORDER = 'ORDER BY ip_num, port, proto';
const GROUP = 'GROUP BY ip_num, proto, port, ip';

/**
 * The largest key of the first `limit` endpoints matching key conditions only, without merging:
 * an endpoint has at most one row per active part, so the first `limit` × parts rows in key order
 * hold the first `limit` endpoints (in cluster mode an endpoint lives on one shard, and the parts
 * of all shards are counted). Null when fewer match (the page is everything left).
 */
async function pageBound(s: Store, where: string[], limit: number): Promise<string | null> {
  const t = s.table('inventory');
  const [{ p }] = await s.select<{ p: unknown }>(
    'inventory parts',
    `SELECT count() AS p ${s.partsOf('inventory')} AND active`,
  );
  // the key as text that sorts like the key: address in hex, port offset to six digits
  const rows = await s.select<{ k: string }>(
    'inventory page bound',
    `SELECT k FROM (
       SELECT DISTINCT concat(hex(ip_num), '.', toString(port + 100000), '.', proto) AS k FROM (
         SELECT ip_num, port, proto FROM ${t} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ip_num, port, proto LIMIT ${lit(limit * Math.max(1, u64(p)))}))
     ORDER BY k LIMIT 1 OFFSET ${lit(limit - 1)}`,
  );
  return rows.length ? rows[0].k : null;
}

/** The stored states a shown state can come from (`untracked`: none stored). */
const STORED_FOR: Record<string, readonly string[]> = {
  new: ['new'],
  verifying: ['new'],
  active: ['active', 'new'],
  stale: ['stale'],
  reopened: ['reopened'],
};
const CANDIDATES = 2000;

/**
 * A page filtered by state through the states table: candidates in key order from endpoint_states
 * (one row per endpoint after FINAL, a few small columns), a chunk at a time, each chunk checked
 * against the merged inventory, until the page is full. Null when a state is not stored (untracked).
 */
async function pageByStoredState(s: Store, f: InventoryFilter, limit: number): Promise<InventoryRecord[] | null> {
  const stored = new Set<string>();
  for (const st of f.states ?? []) {
    const from = STORED_FOR[st];
    if (!from) return null;
    for (const x of from) stored.add(x);
  }
  const out: InventoryRecord[] = [];
  let after = f.after;
  for (;;) {
    const where = [...keyConditions({ ...f, after }), `state IN (${[...stored].map(lit).join(', ')})`];
    if (f.newSince !== undefined) where.push(`first_seen >= ${lit(f.newSince)}`);
    const cand = await s.select<{ h: string; port: number; proto: string }>(
      'inventory candidates',
      `SELECT hex(ip_num) AS h, port, proto FROM ${s.table('endpoint_states')} FINAL WHERE ${where.join(' AND ')}
       ORDER BY ip_num, port, proto LIMIT ${lit(CANDIDATES)}`,
    );
    if (cand.length === 0) return out;
    out.push(...(await mergedRows(s, cand, mergedConditions(f), limit - out.length)));
    if (out.length >= limit || cand.length < CANDIDATES) return out;
    const last = cand[cand.length - 1];
    after = { ipHex: last.h, port: Number(last.port), proto: last.proto };
  }
}

/** The merged rows of the given endpoints (in key order) that meet `having`, at most `limit`. */
function mergedRows(
  s: Store,
  keys: Array<{ h: string; port: number; proto: string }>,
  having: string[],
  limit: number,
): Promise<InventoryRecord[]> {
  const list = keys.map((c) => `(${fixed(c.h)}, ${lit(c.proto)}, ${lit(Number(c.port))})`).join(', ');
  return s.select<InventoryRecord>(
    'inventory',
    // the range lets ClickHouse use the key's index (a list of tuples alone does not on 18.16)
    `SELECT ${MERGED} FROM ${s.table('inventory')}
     PREWHERE ip_num BETWEEN ${fixed(keys[0].h)} AND ${fixed(keys[keys.length - 1].h)} AND (ip_num, proto, port) IN (${list})
     ${GROUP} HAVING ${having.join(' AND ')} ${ORDER} LIMIT ${lit(limit)}`,
  );
}

/** Up to `limit` inventory rows matching the filter, in address, port, protocol order. */
export async function inventoryPage(s: Store, f: InventoryFilter, limit: number): Promise<InventoryRecord[]> {
  const where = keyConditions(f);
  const merged = mergedConditions(f);
  const t = s.table('inventory');
  if (merged.length === 1) {
    // key conditions only: bound the page by key (not needed for one address), then merge just its rows
    const oneAddress = f.net !== undefined && f.net[0] === f.net[1] && !f.after;
    const bound = oneAddress ? null : await pageBound(s, where, limit);
    if (bound !== null) {
      const [hex, sixDigitPort, proto] = bound.split('.');
      const port = Number(sixDigitPort) - 100000;
      where.push(
        `(ip_num < ${fixed(hex)} OR (ip_num = ${fixed(hex)} AND (port < ${lit(port)} OR (port = ${lit(port)} AND proto <= ${lit(proto)}))))`,
      );
    }
    return s.select<InventoryRecord>(
      'inventory',
      `SELECT ${MERGED} FROM ${t} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ${GROUP} HAVING ${merged.join(' AND ')} ${ORDER} LIMIT ${lit(limit)}`,
    );
  }
  if (f.states?.length) {
    const page = await pageByStoredState(s, f, limit);
    if (page) return page;
  }
  // other conditions on merged values: choose the page's keys with only those merged, then merge
  // the rest of just those rows (the key columns read first: PREWHERE)
  const keys = await s.select<{ h: string; port: number; proto: string }>(
    'inventory keys',
    `SELECT hex(ip_num) AS h, port, proto FROM ${t} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     GROUP BY ip_num, proto, port HAVING ${merged.join(' AND ')} ${ORDER} LIMIT ${lit(limit)}`,
  );
  return keys.length ? mergedRows(s, keys, [LISTED], limit) : [];
}

export interface RollupRecord {
  port: number;
  proto: string;
  bucket: number;
  handshakes: number;
  windows: number;
  clients_max: number;
  /** distinct clients, estimated */
  clients: number;
  internet_max: number;
}

/** One host's (address as 32 hex digits) daily or hourly rollups from `fromMs` on, by port then time. */
export async function hostRollups(
  s: Store,
  ipHex: string,
  table: 'rollup_daily' | 'rollup_hourly',
  fromMs: number,
): Promise<RollupRecord[]> {
  const rows = await s.select<Record<string, unknown>>(
    'rollups',
    `SELECT port, proto, bucket, sumMerge(handshakes) AS h, sumMerge(windows) AS w, maxMerge(clients_max) AS c,
            ${estimateSql(UNION)} AS e, maxMerge(internet_max) AS x
     FROM ${s.table(table)} WHERE ip_num = ${fixed(ipHex)} AND bucket >= ${lit(fromMs)}
     GROUP BY ip_num, proto, port, ip, bucket ORDER BY port, proto, bucket`,
  );
  return rows.map((r) => ({
    port: Number(r.port),
    proto: r.proto as string,
    bucket: u64(r.bucket),
    handshakes: u64(r.h),
    windows: u64(r.w),
    clients_max: Number(r.c),
    clients: Math.max(Math.round(Number(r.e)), Number(r.c)),
    internet_max: Number(r.x),
  }));
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

export interface InventoryCounts {
  /** endpoints listed (the inventory without filters) */
  total: number;
  /** by shown state */
  byState: Record<string, number>;
  /** of those, reached by internet clients */
  internet: number;
  /** first seen at or after the time asked */
  newSince: number;
}

/**
 * How many endpoints the inventory lists, by shown state, reached by internet clients and first
 * seen since `newSinceMs`: the same conditions as the filters of `inventoryPage` (so a count is
 * the length of the list it stands for), in one pass that merges only the small states those
 * conditions need (never the sketches or the hints), counted in ClickHouse.
 */
export async function inventoryCounts(s: Store, newSinceMs: number): Promise<InventoryCounts> {
  const rows = await s.select<{ shown: string; n: unknown; x: unknown; f: unknown }>(
    'inventory counts',
    `SELECT shown, count() AS n, countIf(xm > 0) AS x, countIf(fs >= ${lit(newSinceMs)}) AS f FROM (
       SELECT ${SHOWN_STATE} AS shown, maxMerge(internet_max) AS xm, minMerge(first_seen) AS fs
         FROM ${s.table('inventory')} GROUP BY ip_num, proto, port HAVING ${LISTED})
     GROUP BY shown`,
  );
  const c: InventoryCounts = { total: 0, byState: {}, internet: 0, newSince: 0 };
  for (const r of rows) {
    const n = u64(r.n);
    c.byState[r.shown] = n;
    c.total += n;
    c.internet += u64(r.x);
    c.newSince += u64(r.f);
  }
  return c;
}
