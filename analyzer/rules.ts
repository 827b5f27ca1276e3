// Every alert Porthole raises, built in one place: its deterministic id (so neither a
// redelivered batch nor a restart raises it twice: the id of a known alert is skipped), its
// severity and its message. Pure. Detection (detect.ts) decides when an endpoint is new,
// reopened or on a flagged host; the verifier decides when a service changed; the sweeper when
// an exposure is dormant; each builds the alert here, and the owner of its address is set here too (owned()).
//   new_service|ip|proto|port                 an endpoint seen for the first time
//   reopened_service|ip|proto|port|staleSince  seen again after being stale since that time
//   syn_proxy_host|ip                          a host answering on more than policy.synProxyPorts ports
//   service_changed|ip|proto|port|ts           nmap's product/version differs from the last verified
//   first_start_baseline|firstStart            too many new endpoints right after the first start
//   dormant_exposure|ip|proto|port             open to a sweep, never seen serving on the mirror

import { isoDay } from '../common/time.js';
import { type EndpointId, endpointKey } from '../schemas/endpoint.js';
import { captureLoss, type Observation } from '../schemas/observation.js';
import type { AlertRow } from '../schemas/tables.js';
import { digestNetwork } from './alert/storm.js';
import { type OwnerRule, ownerOf } from './owners.js';
import type { Severity } from './policy.js';

export const ALERT_KINDS = [
  'new_service',
  'reopened_service',
  'syn_proxy_host',
  'service_changed',
  'first_start_baseline',
  'dormant_exposure',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** "ip:port", IPv6 in brackets. */
function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function alertRow(
  alert_id: string,
  ts: number,
  kind: AlertKind,
  severity: Severity,
  e: EndpointId,
  message: string,
  details: object,
): AlertRow {
  return {
    day: isoDay(ts),
    alert_id,
    ts,
    kind,
    severity,
    ip: e.ip,
    proto: e.proto,
    port: e.port,
    message,
    details: JSON.stringify(details),
    stored_at: ts,
    net: digestNetwork(e.ip),
    owner: '',
  };
}

/** The alert with its owner: the team owners.rules gives its address and port ('' for none). */
export function owned(a: AlertRow, rules: readonly OwnerRule[]): AlertRow {
  return { ...a, owner: ownerOf(a.ip, a.port, rules) };
}

/** A host answering on more than `limit` ports: flagged once, its ports not alerted one by one. */
export function synProxyHostAlert(o: Observation, ports: number, limit: number, now: number): AlertRow {
  return alertRow(
    `syn_proxy_host|${o.ip}`,
    now,
    'syn_proxy_host',
    'medium',
    { ip: o.ip, proto: o.proto, port: 0 },
    `${o.ip} answers SYN+ACK on more than ${limit} ports (SYN proxy or tarpit?); its ports are not alerted one by one`,
    { ports },
  );
}

/**
 * An endpoint seen for the first time; `outside`: a client came from outside the home networks;
 * `poorLoss`: the capture loss of its window when the sensor's coverage was poor (policy.ts
 * poorCoverage), else null.
 */
export function newServiceAlert(
  o: Observation,
  severity: Severity,
  outside: boolean,
  now: number,
  poorLoss: number | null = null,
): AlertRow {
  const poor =
    poorLoss === null
      ? ''
      : `; the sensor's coverage was poor in this window (${(100 * poorLoss).toFixed(1)}% of handshake packets missed, ${o.loss_missed} of ${o.loss_checked} checked handshakes incomplete): it may be newly visible rather than new`;
  return alertRow(
    `new_service|${endpointKey(o)}`,
    now,
    'new_service',
    severity,
    o,
    `new service ${hostPort(o.ip, o.port)}/${o.proto}: ${o.handshakes} handshake(s)${o.sampling_rate === null ? '' : ` (estimated from 1-in-${o.sampling_rate} samples)`}, ${o.clients} client(s), evidence ${o.evidence}${outside ? ', clients from outside the home networks' : ''}${poor}`,
    {
      first_seen: o.first_seen,
      sensor: o.sensor,
      sample_client: o.sample_client,
      evidence: o.evidence,
      sampling_rate: o.sampling_rate,
      ttl: o.ttl,
      mss: o.mss,
      capture_loss: captureLoss(o.loss_checked, o.loss_missed),
      poor_coverage: poorLoss !== null,
    },
  );
}

/** An endpoint seen again after being stale since `staleSince` (part of the id: alerted once per stale period). */
export function reopenedServiceAlert(o: Observation, severity: Severity, staleSince: number, now: number): AlertRow {
  return alertRow(
    `reopened_service|${endpointKey(o)}|${staleSince}`,
    now,
    'reopened_service',
    severity,
    o,
    `service ${hostPort(o.ip, o.port)}/${o.proto} is accepting connections again after being stale since ${new Date(staleSince).toISOString()}`,
    { stale_since: staleSince, sensor: o.sensor, sample_client: o.sample_client },
  );
}

/** nmap found another product/version than at the endpoint's last `verified_open`. */
export function serviceChangedAlert(
  e: EndpointId,
  change: { before: string; after: string; cpe: string },
  now: number,
): AlertRow {
  return alertRow(
    `service_changed|${endpointKey(e)}|${now}`,
    now,
    'service_changed',
    'medium',
    e,
    `${hostPort(e.ip, e.port)}/${e.proto} changed from "${change.before}" to "${change.after}"`,
    { before: change.before, after: change.after, cpe: change.cpe },
  );
}

/** The first-start limit was reached: the rest of its window builds the baseline without alerts. */
export function firstStartBaselineAlert(
  b: { firstStart: number; guardUntil: number; guardLimit: number },
  now: number,
): AlertRow {
  const minutes = Math.round((b.guardUntil - b.firstStart) / 60_000);
  return alertRow(
    `first_start_baseline|${b.firstStart}`,
    now,
    'first_start_baseline',
    'medium',
    { ip: '', proto: '', port: 0 },
    `more than ${b.guardLimit} new services within ${minutes} min of the first start: until ${new Date(b.guardUntil).toISOString()} new services are recorded as the baseline, without alerts (porthole services lists them)`,
    { first_start: b.firstStart, baseline_until: b.guardUntil, limit: b.guardLimit },
  );
}

/** A sweep found the port open and the mirror has never seen it serve: nobody uses it, yet it is open. */
export function dormantExposureAlert(
  e: EndpointId,
  found: { sweepId: string; service: string },
  severity: Severity,
  now: number,
): AlertRow {
  return alertRow(
    `dormant_exposure|${endpointKey(e)}`,
    now,
    'dormant_exposure',
    severity,
    e,
    `dormant exposure ${hostPort(e.ip, e.port)}/${e.proto}: open to sweep ${found.sweepId}${found.service ? ` (${found.service}?)` : ''}, never seen serving on the mirror`,
    { sweep_id: found.sweepId, service_guess: found.service },
  );
}
