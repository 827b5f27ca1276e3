// The alert lifecycle: open → acknowledged → resolved, each change an `alert_events` row with who,
// when and a note (the `alerts` row itself is the implicit open event and is never changed).
// People acknowledge and resolve (porthole alerts ack|resolve); Porthole resolves the alerts of
// an endpoint whose exposure ended (stale, or closed when verified). Resolved is final. A change
// is all or nothing over the ids given; two people changing one alert at the same moment are
// not serialised (the later event wins).

import type { EndpointId } from '../../schemas/endpoint.js';
import type { AlertEventRow } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import { type Cidr, cidrRangeHex } from '../policy.js';
import {
  type AlertEvent,
  type Assignment,
  alertIdsOfEndpoints,
  assignmentHistory,
  latestAssignments,
  alertsWithIds,
  countAlerts as countStored,
  eventHistory,
  latestEvents,
  queryAlerts,
  type StoredAlert,
} from '../store/alert-events.js';
import type { Store } from '../store/store.js';
import { insertRows } from '../store/writes.js';

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** The actor of every change Porthole makes itself. */
export const SYSTEM_ACTOR = 'porthole';

/** An alert with its current state: the latest event's, or open since it was raised. */
export interface AlertView extends StoredAlert {
  state: AlertState;
  state_at: number;
  actor: string;
  note: string;
  /** who handles it: the latest assignment, else the owning team ('' when none) */
  assignee: string;
}

export interface AlertFilter {
  sinceMs?: number;
  state?: AlertState;
  severity?: string;
  kind?: string;
  net?: Cidr;
  port?: number;
  limit: number;
}

function withState(a: StoredAlert, e: AlertEvent | undefined, assigned: Assignment | undefined): AlertView {
  const assignee = assigned?.assignee ?? a.owner;
  return e
    ? { ...a, state: e.state as AlertState, state_at: e.ts, actor: e.actor, note: e.note, assignee }
    : { ...a, state: 'open', state_at: a.ts, actor: SYSTEM_ACTOR, note: '', assignee };
}

/** Alerts matching the filter with their current state, newest first (filtered in ClickHouse). */
export async function listAlerts(s: Store, f: AlertFilter): Promise<AlertView[]> {
  const alerts = await queryAlerts(s, { ...f, net: f.net ? cidrRangeHex(f.net) : undefined });
  const ids = alerts.map((a) => a.alert_id);
  const [events, assigned] = await Promise.all([latestEvents(s, ids), latestAssignments(s, ids)]);
  return alerts.map((a) => withState(a, events.get(a.alert_id), assigned.get(a.alert_id)));
}

/** How many alerts match the filter (its limit aside), counted in ClickHouse. */
export function countAlerts(s: Store, f: Omit<AlertFilter, 'limit'>): Promise<number> {
  return countStored(s, { ...f, net: f.net ? cidrRangeHex(f.net) : undefined });
}

/** One alert, its current state and every event (the open event first); NOT_FOUND when unknown. */
export async function showAlert(
  s: Store,
  id: string,
): Promise<AlertView & { events: AlertEvent[]; assignments: Assignment[] }> {
  const [a] = await alertsWithIds(s, [id]);
  if (!a) throw new AnalyzerError('NOT_FOUND', `no alert with id ${JSON.stringify(id)}`);
  const [events, assignments] = await Promise.all([eventHistory(s, id), assignmentHistory(s, id)]);
  const opened: AlertEvent = { ts: a.ts, state: 'open', actor: SYSTEM_ACTOR, note: a.message };
  return { ...withState(a, events.at(-1), assignments.at(-1)), events: [opened, ...events], assignments };
}

/** Assign alerts (by id, all or none: NOT_FOUND names an unknown id) to a team or person. */
export async function assignAlerts(
  s: Store,
  ids: string[],
  assignee: string,
  actor: string,
  note: string,
  at = Date.now(),
): Promise<number> {
  const unique = [...new Set(ids)];
  const found = new Set((await alertsWithIds(s, unique)).map((a) => a.alert_id));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length)
    throw new AnalyzerError('NOT_FOUND', `no alert with id ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
  const latest = await latestAssignments(s, unique);
  await insertRows(
    s,
    'alert_assignments',
    unique.map((id) => ({ alert_id: id, ts: Math.max(at, (latest.get(id)?.ts ?? 0) + 1), assignee, actor, note })),
  );
  return unique.length;
}

function eventRow(alert_id: string, ts: number, state: AlertState, actor: string, note: string): AlertEventRow {
  return { alert_id, event_id: `${state}|${ts}|${actor}`, ts, state, actor, note };
}

/**
 * Acknowledge or resolve alerts by id, all or none: NOT_FOUND names an unknown id, CONFLICT an
 * alert already resolved. Each event is timed after the alert's latest one, so it becomes the
 * current state. Returns the events stored.
 */
export async function changeAlerts(
  s: Store,
  ids: string[],
  state: 'acknowledged' | 'resolved',
  actor: string,
  note: string,
  at = Date.now(),
): Promise<AlertEventRow[]> {
  const unique = [...new Set(ids)];
  const found = new Map((await alertsWithIds(s, unique)).map((a) => [a.alert_id, a]));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length)
    throw new AnalyzerError('NOT_FOUND', `no alert with id ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
  const latest = await latestEvents(s, unique);
  const resolved = unique.filter((id) => latest.get(id)?.state === 'resolved');
  if (resolved.length)
    throw new AnalyzerError(
      'CONFLICT',
      `already resolved: ${resolved.map((r) => JSON.stringify(r)).join(', ')}; nothing changed`,
    );
  const rows = unique.map((id) =>
    eventRow(id, Math.max(at, (latest.get(id)?.ts ?? found.get(id)!.ts) + 1), state, actor, note),
  );
  await insertRows(s, 'alert_events', rows);
  return rows;
}

/**
 * Resolve every open or acknowledged alert of these endpoints (actor porthole): their exposure
 * ended, `reason` says how ("exposure ended: stale", "closed_now (nmap)"). Returns how many were
 * resolved. Endpoints are looked up in chunks, so a sweep of many stays within query limits.
 */
export async function resolveEndpointAlerts(
  s: Store,
  endpoints: readonly EndpointId[],
  reason: string,
  at = Date.now(),
): Promise<number> {
  let n = 0;
  for (let i = 0; i < endpoints.length; i += 1000) {
    const ids = await alertIdsOfEndpoints(s, endpoints.slice(i, i + 1000));
    const latest = await latestEvents(s, ids);
    const rows = ids
      .filter((id) => latest.get(id)?.state !== 'resolved')
      .map((id) => eventRow(id, Math.max(at, (latest.get(id)?.ts ?? 0) + 1), 'resolved', SYSTEM_ACTOR, reason));
    await insertRows(s, 'alert_events', rows);
    n += rows.length;
  }
  return n;
}
