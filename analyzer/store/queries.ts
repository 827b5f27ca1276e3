// Reads of the plain tables: endpoint states (the analyzer's starting point), alerts, and
// verifications (latest per endpoint, and history); the inventory's own reads are in
// inventory-queries.ts. Read-only. Every statement runs on 18.16 and current ClickHouse
// (test/analyzer/store-engines.int.test.ts); literals only through compat.lit().

import { endpointKey } from '../../schemas/endpoint.js';
import type { AlertRow, StateRow } from '../../schemas/tables.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

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

const VERIFICATION_COLUMNS = 'ip, port, proto, ts, status, service, product, version, extrainfo, cpe, reason, request';

/** A stored verification with its endpoint and the `porthole verify` request it answers ('' when none). */
export type VerificationRecord = Verification & { ip: string; port: number; proto: string; request: string };

function verificationRecord(r: Record<string, unknown>): VerificationRecord {
  return {
    ip: r.ip as string,
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
    request: r.request as string,
  };
}

/** Every verification of one host's endpoints, by port then time. */
export async function verificationHistory(
  s: Store,
  ip: string,
): Promise<Array<Verification & { port: number; proto: string }>> {
  const rows = await s.select<Record<string, unknown>>(
    'verification history',
    `SELECT ${VERIFICATION_COLUMNS} FROM ${s.table('verifications')} FINAL WHERE ip = ${lit(ip)} ORDER BY port, ts`,
  );
  return rows.map((r) => {
    const { ip: _, request: __, ...v } = verificationRecord(r);
    return v;
  });
}

/** The newest verifications (of one host, with one status), newest first, at most `limit`. */
export async function recentVerifications(
  s: Store,
  f: { ip?: string; status?: string; limit: number },
): Promise<VerificationRecord[]> {
  const where = [f.ip ? `ip = ${lit(f.ip)}` : '', f.status ? `status = ${lit(f.status)}` : ''].filter(Boolean);
  const rows = await s.select<Record<string, unknown>>(
    'recent verifications',
    `SELECT ${VERIFICATION_COLUMNS} FROM ${s.table('verifications')} FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ts DESC, ip, port LIMIT ${lit(f.limit)}`,
  );
  return rows.map(verificationRecord);
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
