// The verifier's reads of the verifications table: what it remembers at start (per endpoint: the
// newest row, the last finished scan, the last status, the last product seen open), and what a
// `porthole verify` request became (the row that took or refused it, then the first verdict
// after that). Read-only; runs on 18.16 and current ClickHouse (verification-queries.int.test.ts).

import { endpointKey, type EndpointId } from '../../schemas/endpoint.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

export interface VerifierMemory {
  /** the newest row's status, pending included */
  latest: string;
  /** the newest status that is not pending (refused included); '' when none */
  lastStatus: string;
  /** when the last scan finished (refusals are no scans), ms; 0 when never */
  lastScan: number;
  /** `product version` of the newest verified_open row; '' when none */
  product: string;
}

/** Per endpoint key, what the verifier needs to know at start. */
export async function verifierMemory(s: Store): Promise<Map<string, VerifierMemory>> {
  const rows = await s.select<Record<string, unknown>>(
    'verifier memory',
    `
      SELECT ip, proto, port, argMax(status, ts) AS latest,
             argMaxIf(status, ts, status != 'pending') AS last_status,
             maxIf(ts, status NOT IN ('pending', 'refused')) AS last_scan,
             argMaxIf(concat(product, ' ', version), ts, status = 'verified_open') AS pv
      FROM ${s.table('verifications')} GROUP BY ip, proto, port`,
  );
  return new Map(
    rows.map((r) => [
      endpointKey({ ip: r.ip as string, proto: r.proto as string, port: Number(r.port) }),
      {
        latest: r.latest as string,
        lastStatus: r.last_status as string,
        lastScan: u64(r.last_scan),
        product: String(r.pv).trim(),
      },
    ]),
  );
}

export interface VerificationAnswer extends EndpointId {
  ts: number;
  status: string;
  reason: string;
  service: string;
  product: string;
  version: string;
  request: string;
}

const ANSWER = 'ip, proto, port, ts, status, reason, service, product, version, request';

function answer(r: Record<string, unknown>): VerificationAnswer {
  return {
    ip: r.ip as string,
    proto: r.proto as string,
    port: Number(r.port),
    ts: u64(r.ts),
    status: r.status as string,
    reason: r.reason as string,
    service: r.service as string,
    product: r.product as string,
    version: r.version as string,
    request: r.request as string,
  };
}

/** The rows that took (pending) or refused each of these requests, by request id. */
export async function requestAnswers(s: Store, ids: string[]): Promise<Map<string, VerificationAnswer>> {
  if (ids.length === 0) return new Map();
  const rows = await s.select<Record<string, unknown>>(
    'request answers',
    `SELECT ${ANSWER} FROM ${s.table('verifications')} WHERE request IN (${ids.map(lit).join(', ')}) ORDER BY ts`,
  );
  return new Map(rows.map((r) => [r.request as string, answer(r)]));
}

/** The first finished verification (refusals included) of `e` at or after `since` (ms). */
export async function verdictSince(s: Store, e: EndpointId, since: number): Promise<VerificationAnswer | null> {
  const rows = await s.select<Record<string, unknown>>(
    'verdict',
    `
      SELECT ${ANSWER} FROM ${s.table('verifications')}
      WHERE ip = ${lit(e.ip)} AND proto = ${lit(e.proto)} AND port = ${lit(e.port)} AND ts >= ${lit(since)}
        AND status != 'pending'
      ORDER BY ts LIMIT 1`,
  );
  return rows.length ? answer(rows[0]) : null;
}
