// The service inventory as `porthole services` and `porthole host` show it (and an HTTP API
// would): rows of the inventory table (one per endpoint, kept by ClickHouse as Observations,
// states, verifications and exposure changes are stored), with the audience estimated from the
// merged sketches, and one host's exposure intervals and daily history. Read-only; the CLI only
// parses arguments and prints what these return.
// Derived state: a stored `new` endpoint shows as `verifying` while its latest verification is
// pending and `active` once verified (whatever the verdict); an endpoint without a stored state
// (outside policy.homeNetworks) is `untracked`; one only sweeps found open is `dormant`.
// Which method saw an endpoint when: `seen_by` (passive, active or both), first/last seen by the
// mirror (by the sweeps for a dormant one) and `active` (the sweeps' first and last finding).
// Distinct clients are estimates: the larger of the sketch's estimate and the largest count of
// one window (exact per window up to the sensor's cap); `clients_error` is the sketch's
// relative standard error.
// Several sensors on the same traffic: handshakes and windows count an endpoint's window once
// (the highest count any sensor reported, analyzer/window-counts.ts); `porthole host` also shows
// each sensor's own figures, from the raw windows kept.

import { DAY_MS } from '../common/time.js';
import { HLL_STANDARD_ERROR } from '../common/hll.js';
import type { AlertRow } from '../schemas/tables.js';
import { type OwnerRule, ownerOf } from './owners.js';
import { type Cidr, cidrRangeHex, type Expected, isExpected, parseCidr } from './policy.js';
import { u64 } from './store/compat.js';
import {
  exposureEvents,
  hostRollups,
  type InventoryFilter,
  type InventoryRecord,
  inventoryCounts,
  inventoryPage,
} from './store/inventory-queries.js';
import { alertRows, type Verification, verificationHistory } from './store/queries.js';
import { type SensorFigures, sensorFigures } from './store/sensor-counts.js';
import type { Store } from './store/store.js';

export type { SensorFigures, Verification };

export const SHOWN_STATES = ['new', 'verifying', 'active', 'stale', 'reopened', 'untracked', 'dormant'] as const;

export interface Audience {
  /** distinct internal clients (home networks of the sensor), estimated */
  internal: number;
  /** distinct internet clients, estimated */
  internet: number;
  /** the newest window's sample of clients */
  recent_clients: string[];
}

export interface InventoryRow {
  ip: string;
  proto: string;
  port: number;
  state: string;
  state_since: number | null;
  first_seen: number;
  last_seen: number;
  /** per window, the highest count any sensor reported */
  handshakes: number;
  /** windows in which it was seen (once however many sensors saw it) */
  windows: number;
  /** distinct clients, estimated */
  clients: number;
  clients_error: number;
  audience: Audience;
  internet_exposed: boolean;
  sensors: string[];
  vlans: number[];
  evidence: string;
  ttl: number | null;
  tcp_window: number | null;
  mss: number | null;
  verification: Verification | null;
  /** start of the current exposure interval, null when none is open */
  exposed_since: number | null;
  /** end of the last closed interval, null when none */
  closed_at: number | null;
  /** the team owning the address (owners.rules), empty when none */
  owner: string;
  /** what policy says of it: expected (policy.expected or `porthole expect`), high_risk (policy.highRiskPorts), internet */
  tags: string[];
  /** which method saw it: the mirror (passive), a sweep (active), or both */
  seen_by: 'passive' | 'active' | 'both';
  /** the sweeps that found it open: first and newest (ms) and the newest's id; null when none */
  active: { first_seen: number; last_seen: number; sweep_id: string } | null;
  /** the cursor of the next page after this row (`--after`) */
  cursor: string;
}

export interface ServicesFilter {
  /** only addresses in this network */
  net?: Cidr;
  port?: number;
  /** only endpoints first seen at or after this time (ms since the epoch) */
  newSince?: number;
  /** only endpoints in these shown states */
  states?: string[];
  /** only endpoints reached by internet clients */
  internet?: boolean;
  /** only rows after this cursor (InventoryRow.cursor) */
  after?: string;
}

const hint = (v: number): number | null => (v < 0 ? null : v);

function count(estimated: number, windowMax: number): number {
  return Math.max(Math.round(Number(estimated)), windowMax);
}

/** What reading needs from policy: who owns a row and what its tags are. */
export interface ReadContext {
  owners: readonly OwnerRule[];
  /** the expected services in force (the config file's and the stored ones) */
  expected: Expected[];
  highRiskPorts: ReadonlySet<number>;
}
const NO_OWNERS: ReadContext = { owners: [], expected: [], highRiskPorts: new Set() };

function tagsOf(ip: string, port: number, internet: boolean, ctx: ReadContext): string[] {
  const tags: string[] = [];
  if (isExpected(ip, port, ctx.expected)) tags.push('expected');
  if (ctx.highRiskPorts.has(port)) tags.push('high_risk');
  if (internet) tags.push('internet');
  return tags;
}

function toRow(r: InventoryRecord, ctx: ReadContext): InventoryRow {
  const opened = u64(r.oa);
  const closed = u64(r.ca);
  const internal = count(r.ei, Number(r.im));
  const internet = count(r.ex, Number(r.xm));
  const vts = u64(r.vts);
  const passive = u64(r.ws) > 0;
  const als = u64(r.als);
  const active = als > 0 ? { first_seen: u64(r.afs), last_seen: als, sweep_id: r.asw } : null;
  return {
    ip: r.ip,
    proto: r.proto,
    port: Number(r.port),
    state: r.shown,
    state_since: r.shown === 'untracked' || r.shown === 'dormant' ? null : u64(r.ss),
    first_seen: passive ? u64(r.fs) : (active?.first_seen ?? 0),
    last_seen: passive ? u64(r.ls) : (active?.last_seen ?? 0),
    handshakes: u64(r.hs),
    windows: u64(r.ws),
    clients: Math.max(count(r.ea, Number(r.cm)), internal, internet),
    clients_error: HLL_STANDARD_ERROR,
    audience: { internal, internet, recent_clients: r.rc },
    internet_exposed: Number(r.xm) > 0,
    sensors: [...r.sn].sort(),
    vlans: r.vl
      .map(Number)
      .filter((v) => v > 0)
      .sort((a, b) => a - b),
    evidence: Number(r.fh) === 1 ? 'handshake' : 'synack',
    ttl: hint(Number(r.h_ttl)),
    tcp_window: hint(Number(r.h_win)),
    mss: hint(Number(r.h_mss)),
    verification: vts
      ? {
          ts: vts,
          status: r.vst,
          service: r.vsv,
          product: r.vpr,
          version: r.vvr,
          extrainfo: r.vex,
          cpe: r.vcp,
          reason: r.vrs,
        }
      : null,
    exposed_since: opened > 0 && opened > closed ? opened : null,
    closed_at: closed > 0 ? closed : null,
    owner: ownerOf(r.ip, Number(r.port), ctx.owners),
    tags: tagsOf(r.ip, Number(r.port), Number(r.xm) > 0, ctx),
    seen_by: passive && active ? 'both' : passive ? 'passive' : 'active',
    active,
    cursor: `${r.ip_hex}.${r.port}.${r.proto}`,
  };
}

/** A cursor from InventoryRow.cursor, or null when it is not one. */
export function parseCursor(c: string): InventoryFilter['after'] | null {
  const m = /^([0-9A-Fa-f]{32})\.(\d{1,5})\.([a-z]{1,8})$/.exec(c);
  if (!m || Number(m[2]) > 65535) return null;
  return { ipHex: m[1].toUpperCase(), port: Number(m[2]), proto: m[3] };
}

function toFilter(f: ServicesFilter): InventoryFilter {
  const after = f.after === undefined ? undefined : parseCursor(f.after);
  if (after === null) throw new TypeError(`not an inventory cursor: ${f.after}`);
  return {
    net: f.net ? cidrRangeHex(f.net) : undefined,
    port: f.port,
    newSince: f.newSince,
    states: f.states,
    internet: f.internet,
    after,
  };
}

/** Up to `limit` endpoints matching the filter, ordered by address, port, protocol. */
export async function services(
  s: Store,
  f: ServicesFilter = {},
  limit = 1000,
  ctx = NO_OWNERS,
): Promise<InventoryRow[]> {
  return (await inventoryPage(s, toFilter(f), limit)).map((r) => toRow(r, ctx));
}

/** Every endpoint matching the filter, handed to `visit` a page at a time (any size, bounded memory). */
export async function forEachService(
  s: Store,
  f: ServicesFilter,
  visit: (rows: InventoryRow[]) => void | Promise<void>,
  pageRows = 20_000,
  ctx = NO_OWNERS,
): Promise<number> {
  const filter = toFilter(f);
  let n = 0;
  for (;;) {
    const page = await inventoryPage(s, filter, pageRows);
    if (page.length === 0) return n;
    n += page.length;
    await visit(page.map((r) => toRow(r, ctx)));
    if (page.length < pageRows) return n;
    const last = page[page.length - 1];
    filter.after = { ipHex: last.ip_hex, port: Number(last.port), proto: last.proto };
  }
}

export interface InventorySummary {
  /** endpoints listed */
  total: number;
  /** of those, first seen at or after the time asked (the `newSince` filter) */
  new_since: number;
  /** by shown state (the `states` filter), every state present */
  by_state: Record<(typeof SHOWN_STATES)[number], number>;
  /** reached by internet clients (the `internet` filter), and the others */
  internet: number;
  internal_only: number;
}

/** What the filters would list, counted: by state, audience, and first seen since `newSince` (ms). */
export async function inventorySummary(s: Store, newSince: number): Promise<InventorySummary> {
  const c = await inventoryCounts(s, newSince);
  const by_state = Object.fromEntries(
    SHOWN_STATES.map((st) => [st, c.byState[st] ?? 0]),
  ) as InventorySummary['by_state'];
  return { total: c.total, new_since: c.newSince, by_state, internet: c.internet, internal_only: c.total - c.internet };
}

export interface Interval {
  port: number;
  proto: string;
  start: number;
  /** null: still open */
  end: number | null;
  /** why it ended: stale, closed_now */
  ended_by: string | null;
  opened_by: string;
}

export interface DayHistory {
  port: number;
  proto: string;
  day: number;
  handshakes: number;
  windows: number;
  clients: number;
  internet: boolean;
}

export interface HostView {
  ip: string;
  services: InventoryRow[];
  intervals: Interval[];
  history: DayHistory[];
  /** each sensor's own figures per endpoint over the same days as `history` (raw windows kept) */
  by_sensor: SensorFigures[];
  verifications: Array<Verification & { port: number; proto: string }>;
  alerts: AlertRow[];
}

/** Exposure events of one endpoint (in time order) as intervals: each open to the next close. */
export function intervalsOf(events: Awaited<ReturnType<typeof exposureEvents>>): Interval[] {
  const out: Interval[] = [];
  let cur: Interval | null = null;
  for (const e of events) {
    if (cur && (cur.port !== e.port || cur.proto !== e.proto)) {
      out.push(cur);
      cur = null;
    }
    if (e.event === 'open') {
      if (!cur) cur = { port: e.port, proto: e.proto, start: e.ts, end: null, ended_by: null, opened_by: e.reason };
    } else if (cur) {
      out.push({ ...cur, end: e.ts, ended_by: e.reason });
      cur = null;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Days of history `host` shows. */
export const HOST_HISTORY_DAYS = 30;
/** Alerts `host` shows (the newest). */
export const HOST_ALERTS = 20;

/**
 * One host (canonical address): its endpoints, exposure intervals, daily history, each sensor's
 * own figures, verifications, last alerts.
 */
export async function host(s: Store, ip: string, now = Date.now(), ctx = NO_OWNERS): Promise<HostView> {
  const from = Math.floor((now - HOST_HISTORY_DAYS * DAY_MS) / DAY_MS) * DAY_MS;
  const net = parseCidr(ip);
  if (!net) throw new TypeError(`not an IP address: ${ip}`);
  const range = cidrRangeHex(net);
  const [rows, events, rollups, bySensor, verifications, alerts] = await Promise.all([
    inventoryPage(s, { net: range }, 65536 * 2),
    exposureEvents(s, ip),
    hostRollups(s, range[0], 'rollup_daily', from),
    sensorFigures(s, ip, from),
    verificationHistory(s, ip),
    alertRows(s, { ip }),
  ]);
  return {
    ip,
    services: rows.map((r) => toRow(r, ctx)),
    intervals: intervalsOf(events),
    history: rollups.map((r) => ({
      port: r.port,
      proto: r.proto,
      day: r.bucket,
      handshakes: r.handshakes,
      windows: r.windows,
      clients: r.clients,
      internet: r.internet_max > 0,
    })),
    by_sensor: bySensor,
    verifications,
    alerts: alerts.slice(-HOST_ALERTS),
  };
}
