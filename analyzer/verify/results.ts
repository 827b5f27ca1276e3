// From nmap's answer for one port to a verification status and a `verifications` row. Pure.
//   verified_open        nmap found the port open
//   filtered_to_scanner  seen serving in traffic but filtered to the scanner (an ACL-restricted exposure)
//   closed_now           closed when verified
//   unverifiable         timed out, nmap failed, or a state nmap could not decide
//   refused / pending    outside verify.allowedNetworks / requested, not yet run

import { isoDay } from '../../common/time.js';
import type { EndpointId } from '../../schemas/endpoint.js';
import type { VerificationRow } from '../../schemas/tables.js';
import type { PortResult } from './nmap-xml.js';

export const VERIFY_STATUSES = [
  'pending',
  'verified_open',
  'filtered_to_scanner',
  'closed_now',
  'unverifiable',
  'refused',
] as const;
export type VerifyStatus = (typeof VERIFY_STATUSES)[number];

export function statusOf(p: PortResult | undefined): VerifyStatus {
  if (!p) return 'unverifiable';
  if (p.state === 'open') return 'verified_open';
  if (p.state === 'filtered') return 'filtered_to_scanner';
  if (p.state === 'closed') return 'closed_now';
  return 'unverifiable';
}

/** A verifications row; what nmap did not say is empty (a pending or refused request: all of it). */
export function verificationRow(
  e: EndpointId,
  ts: number,
  status: VerifyStatus,
  reason: string,
  run: { p?: PortResult; durationMs: number; attempt: number } = { durationMs: 0, attempt: 0 },
  request = '',
): VerificationRow {
  const p = run.p;
  return {
    day: isoDay(ts),
    ip: e.ip,
    proto: e.proto,
    port: e.port,
    ts,
    status,
    nmap_state: p?.state ?? '',
    reason,
    service: p?.service ?? '',
    product: p?.product ?? '',
    version: p?.version ?? '',
    extrainfo: p?.extrainfo ?? '',
    cpe: (p?.cpe ?? []).join(' '),
    duration_ms: run.durationMs,
    attempt: run.attempt,
    request,
  };
}
