// The inventory's reads: endpoint states (also the analyzer's starting point), services
// aggregated from the raw Observations, one host's per-window history, alerts, and
// verifications (latest per endpoint, and history). Read-only; callers
// join them (analyzer/inventory.ts). Every statement runs on 18.16 and current ClickHouse
// (test/analyzer/store-engines.int.test.ts); literals only through compat.lit().

import { endpointKey } from '../../schemas/endpoint.js';
import type { AlertRow, StateRow } from '../../schemas/tables.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

export interface ServiceRow {
  ip: string;
  proto: string;
  port: number;
  first_seen: number;
  last_seen: number;
  handshakes: number;
  clients: number;
  sensors: string[];
  vlans: number[];
  internet_exposed: boolean;
  evidence: string;
  ttl: number | null;
  tcp_window: number | null;
  mss: number | null;
}

export interface ServiceFilter {
  /** address range, first and last as 32 hex digits (policy.cidrRangeHex) */
  net?: [string, string];
  port?: number;
  ip?: string;
}

export interface Verification {
  ts: number;
  status: string;
  service: string;
  product: string;
  version: string;
  extrainfo: string;
  cpe: string;
  reason: string;
}

export interface HistoryRow {
  port: number;
  proto: string;
  sensor: string;
  window_start: number;
  first_seen: number;
  last_seen: number;
  handshakes: number;
  evidence: string;
}

const STATE_COLUMNS = 'ip, proto, port, state, since, first_seen, last_seen, reason, version';

function stateRow(r: Record<string, unknown>): StateRow {
  return {
    ip: r.ip as string,
    proto: r.proto as string,
    port: Number(r.port),
    state: r.state as string,
    since: u64(r.since),
    first_seen: u64(r.first_seen),
    last_seen: u64(r.last_seen),
    reason: r.reason as string,
    version: u64(r.version),
  };
}

/** Every endpoint's current state (the highest version, FINAL). */
export async function loadStates(s: Store): Promise<StateRow[]> {
  const rows = await s.select<Record<string, unknown>>(
    'states',
    `SELECT ${STATE_COLUMNS} FROM ${s.table('endpoint_states')} FINAL`,
  );
  return rows.map(stateRow);
}

/**
 * Every endpoint's current state, handed to `visit` one page at a time (pages split by a hash of
 * the address, about `pageRows` rows each), so that reading a million states never holds them
 * all as objects at once.
 */
export async function forEachState(s: Store, visit: (row: StateRow) => void, pageRows = 200_000): Promise<number> {
  const [{ c }] = await s.select<{ c: unknown }>(
    'state count',
    `SELECT count() AS c FROM ${s.table('endpoint_states')}`,
  );
  const pages = Math.max(1, Math.ceil(u64(c) / pageRows));
  let n = 0;
  for (let i = 0; i < pages; i++) {
    const rows = await s.select<Record<string, unknown>>(
      'states',
      `SELECT ${STATE_COLUMNS} FROM ${s.table('endpoint_states')} FINAL WHERE cityHash64(ip) % ${lit(pages)} = ${lit(i)}`,
    );
    for (const r of rows) visit(stateRow(r));
    n += rows.length;
  }
  return n;
}

/** One row per (ip, proto, port) aggregated over the Observations, duplicates removed (FINAL). */
export async function serviceRows(s: Store, f: ServiceFilter = {}): Promise<ServiceRow[]> {
  const where: string[] = [];
  if (f.ip) where.push(`ip = ${lit(f.ip)}`);
  if (f.port !== undefined) where.push(`port = ${lit(f.port)}`);
  if (f.net)
    where.push(
      `ip_num BETWEEN toFixedString(unhex(${lit(f.net[0])}), 16) AND toFixedString(unhex(${lit(f.net[1])}), 16)`,
    );
  const rows = await s.select<Record<string, unknown>>(
    'services',
    `
      SELECT ip, proto, port, min(first_seen) AS fs, max(last_seen) AS ls, sum(handshakes) AS hs, max(clients) AS cl,
             groupUniqArray(sensor) AS sensors, groupUniqArray(ifNull(vlan, 0)) AS vlans, max(client_outside) AS outside,
             max(evidence = 'handshake') AS has_full, argMax(ttl, last_seen) AS ttl, argMax(tcp_window, last_seen) AS win,
             argMax(mss, last_seen) AS mss
      FROM ${s.table('observations')} FINAL
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY ip, proto, port
      ORDER BY ip, port`,
  );
  return rows.map((r) => ({
    ip: r.ip as string,
    proto: r.proto as string,
    port: Number(r.port),
    first_seen: u64(r.fs),
    last_seen: u64(r.ls),
    handshakes: u64(r.hs),
    clients: u64(r.cl),
    sensors: (r.sensors as string[]).sort(),
    vlans: (r.vlans as Array<number | string>)
      .map(Number)
      .filter((v) => v > 0)
      .sort((a, b) => a - b),
    internet_exposed: Number(r.outside) === 1,
    evidence: Number(r.has_full) === 1 ? 'handshake' : 'synack',
    ttl: r.ttl === null ? null : Number(r.ttl),
    tcp_window: r.win === null ? null : Number(r.win),
    mss: r.mss === null ? null : Number(r.mss),
  }));
}

/** The newest verification of each endpoint (by endpointKey), of one host or all. */
export async function latestVerifications(
  s: Store,
  ip?: string,
  finishedOnly = false,
): Promise<Map<string, Verification>> {
  const where = [ip ? `ip = ${lit(ip)}` : '', finishedOnly ? "status != 'pending'" : ''].filter(Boolean);
  const rows = await s.select<Record<string, unknown>>(
    'verifications',
    `
      SELECT ip, proto, port, max(ts) AS last_ts, argMax(status, ts) AS v_status, argMax(service, ts) AS v_service,
             argMax(product, ts) AS v_product, argMax(version, ts) AS v_version, argMax(extrainfo, ts) AS v_extrainfo,
             argMax(cpe, ts) AS v_cpe, argMax(reason, ts) AS v_reason
      FROM ${s.table('verifications')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY ip, proto, port`,
  );
  return new Map(
    rows.map((r) => [
      endpointKey({ ip: r.ip as string, proto: r.proto as string, port: r.port as number }),
      {
        ts: u64(r.last_ts),
        status: r.v_status as string,
        service: r.v_service as string,
        product: r.v_product as string,
        version: r.v_version as string,
        extrainfo: r.v_extrainfo as string,
        cpe: r.v_cpe as string,
        reason: r.v_reason as string,
      },
    ]),
  );
}

/** Every verification of one host's endpoints, by port then time. */
export async function verificationHistory(
  s: Store,
  ip: string,
): Promise<Array<Verification & { port: number; proto: string }>> {
  const rows = await s.select<Record<string, unknown>>(
    'verification history',
    `
      SELECT port, proto, ts, status, service, product, version, extrainfo, cpe, reason FROM ${s.table('verifications')} FINAL
      WHERE ip = ${lit(ip)} ORDER BY port, ts`,
  );
  return rows.map((r) => ({
    port: Number(r.port),
    proto: r.proto as string,
    ts: u64(r.ts),
    status: r.status as string,
    service: r.service as string,
    product: r.product as string,
    version: r.version as string,
    extrainfo: r.extrainfo as string,
    cpe: r.cpe as string,
    reason: r.reason as string,
  }));
}

/** Per-window history of one host's endpoints. */
export async function observationHistory(s: Store, ip: string): Promise<HistoryRow[]> {
  const rows = await s.select<Record<string, unknown>>(
    'history',
    `
      SELECT port, proto, sensor, window_start, first_seen, last_seen, handshakes, evidence
      FROM ${s.table('observations')} FINAL WHERE ip = ${lit(ip)} ORDER BY port, window_start`,
  );
  return rows.map((r) => ({
    port: Number(r.port),
    proto: r.proto as string,
    sensor: r.sensor as string,
    window_start: u64(r.window_start),
    first_seen: u64(r.first_seen),
    last_seen: u64(r.last_seen),
    handshakes: Number(r.handshakes),
    evidence: r.evidence as string,
  }));
}

/** Stored alerts, oldest first, of one host and/or since a time. */
export async function alertRows(s: Store, filter: { ip?: string; sinceMs?: number } = {}): Promise<AlertRow[]> {
  const where = [
    filter.ip ? `ip = ${lit(filter.ip)}` : '',
    filter.sinceMs !== undefined ? `ts >= ${lit(filter.sinceMs)}` : '',
  ].filter(Boolean);
  const rows = await s.select<Record<string, unknown>>(
    'alerts',
    `SELECT day, alert_id, ts, kind, severity, ip, proto, port, message, details FROM ${s.table('alerts')} FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts`,
  );
  return rows.map((r) => ({ ...(r as unknown as AlertRow), ts: u64(r.ts), port: Number(r.port) }));
}
