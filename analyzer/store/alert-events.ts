// The alert lifecycle's reads: alerts listed with their filters (time, severity, kind, network,
// port and current state, all applied in ClickHouse), the latest event of given alerts, one
// alert's event history, and the alerts of given endpoints. An alert's current state is its
// latest event (GROUP BY alert_id, argMax by ts); an alert without one is open. Every statement
// runs on 18.16 and current ClickHouse (test/analyzer/store-engines.int.test.ts).

import { isoDay } from '../../common/time.js';
import type { EndpointId } from '../../schemas/endpoint.js';
import type { AlertEventRow, AlertRow } from '../../schemas/tables.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

export type StoredAlert = Omit<AlertRow, 'day' | 'stored_at' | 'net'>;
export type AlertEvent = Omit<AlertEventRow, 'alert_id' | 'event_id'>;

export interface AlertQuery {
  sinceMs?: number;
  /** open: no event; acknowledged, resolved: the latest event's state */
  state?: string;
  severity?: string;
  kind?: string;
  /** address range, first and last as 32 hex digits (policy.cidrRangeHex) */
  net?: [string, string];
  port?: number;
  limit: number;
}

const ALERT_COLUMNS = 'alert_id, ts, kind, severity, ip, proto, port, message, details, owner';

// an alert's address as 16 bytes; host-independent alerts have none ('' is read as ::, and the
// filter excludes them: no branch of this can throw on either version)
const IP_NUM = "IPv6StringToNum(if(ip = '', '::', concat(if(position(ip, ':') > 0, '', '::ffff:'), ip)))";

function storedAlert(r: Record<string, unknown>): StoredAlert {
  return {
    alert_id: r.alert_id as string,
    ts: u64(r.ts),
    kind: r.kind as string,
    severity: r.severity as string,
    ip: r.ip as string,
    proto: r.proto as string,
    port: Number(r.port),
    message: r.message as string,
    details: r.details as string,
    owner: r.owner as string,
  };
}

function alertConditions(s: Store, q: Omit<AlertQuery, 'limit'>): string {
  const events = s.table('alert_events');
  const where: string[] = [];
  if (q.sinceMs !== undefined) where.push(`day >= toDate(${lit(isoDay(q.sinceMs))}) AND ts >= ${lit(q.sinceMs)}`);
  if (q.severity) where.push(`severity = ${lit(q.severity)}`);
  if (q.kind) where.push(`kind = ${lit(q.kind)}`);
  if (q.port !== undefined) where.push(`port = ${lit(q.port)}`);
  if (q.net)
    where.push(
      `ip != '' AND ${IP_NUM} BETWEEN toFixedString(unhex(${lit(q.net[0])}), 16) AND toFixedString(unhex(${lit(q.net[1])}), 16)`,
    );
  if (q.state === 'open') where.push(`alert_id NOT IN (SELECT alert_id FROM ${events})`);
  else if (q.state)
    where.push(
      `alert_id IN (SELECT alert_id FROM ${events} GROUP BY alert_id HAVING argMax(state, ts) = ${lit(q.state)})`,
    );
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** Alerts matching the query, newest first, at most `limit`. */
export async function queryAlerts(s: Store, q: AlertQuery): Promise<StoredAlert[]> {
  const rows = await s.select<Record<string, unknown>>(
    'alerts list',
    `SELECT ${ALERT_COLUMNS} FROM ${s.table('alerts')} FINAL ${alertConditions(s, q)}
       ORDER BY ts DESC, alert_id LIMIT ${lit(q.limit)}`,
  );
  return rows.map(storedAlert);
}

/** How many alerts match the query (every one, however many: no limit). */
export async function countAlerts(s: Store, q: Omit<AlertQuery, 'limit'>): Promise<number> {
  const [r] = await s.select<{ c: unknown }>(
    'alerts count',
    `SELECT uniqExact(alert_id) AS c FROM ${s.table('alerts')} ${alertConditions(s, q)}`,
  );
  return u64(r?.c ?? 0);
}

/** Alerts by id, in no particular order (ids not stored are absent). */
export async function alertsWithIds(s: Store, ids: string[]): Promise<StoredAlert[]> {
  if (ids.length === 0) return [];
  const rows = await s.select<Record<string, unknown>>(
    'alerts with ids',
    `SELECT ${ALERT_COLUMNS} FROM ${s.table('alerts')} FINAL WHERE alert_id IN (${ids.map((i) => lit(i)).join(', ')})`,
  );
  return rows.map(storedAlert);
}

/**
 * The latest row (by ts) of each of these alerts in a table of alert changes, with its text
 * columns (argMax, so unmerged rows never count twice); alerts without a row are absent.
 */
async function latestPerAlert<C extends string>(
  s: Store,
  table: 'alert_events' | 'alert_assignments',
  columns: readonly C[],
  ids: string[],
): Promise<Map<string, Record<C, string> & { ts: number }>> {
  if (ids.length === 0) return new Map();
  const rows = await s.select<Record<string, unknown>>(
    `latest ${table}`,
    `SELECT alert_id, max(ts) AS at${columns.map((c) => `, argMax(${c}, ts) AS latest_${c}`).join('')}
       FROM ${s.table(table)} WHERE alert_id IN (${ids.map((i) => lit(i)).join(', ')}) GROUP BY alert_id`,
  );
  return new Map(
    rows.map((r) => {
      const row = { ts: u64(r.at) } as Record<C, string> & { ts: number };
      for (const c of columns) (row as Record<string, unknown>)[c] = r[`latest_${c}`] as string;
      return [r.alert_id as string, row];
    }),
  );
}

/** The latest event of each of these alerts that has one. */
export function latestEvents(s: Store, ids: string[]): Promise<Map<string, AlertEvent>> {
  return latestPerAlert(s, 'alert_events', ['state', 'actor', 'note'] as const, ids);
}

/** Every event of one alert, oldest first. */
export async function eventHistory(s: Store, id: string): Promise<AlertEvent[]> {
  const rows = await s.select<Record<string, unknown>>(
    'alert events',
    `SELECT ts, state, actor, note FROM ${s.table('alert_events')} FINAL WHERE alert_id = ${lit(id)} ORDER BY ts`,
  );
  return rows.map((r) => ({
    ts: u64(r.ts),
    state: r.state as string,
    actor: r.actor as string,
    note: r.note as string,
  }));
}

/** Ids of the alerts about these endpoints (host-level alerts, port 0, are not about one). */
export async function alertIdsOfEndpoints(s: Store, endpoints: readonly EndpointId[]): Promise<string[]> {
  if (endpoints.length === 0) return [];
  const ips = [...new Set(endpoints.map((e) => e.ip))];
  const keys = endpoints.map((e) => `(${lit(e.ip)}, ${lit(e.proto)}, ${lit(e.port)})`);
  const rows = await s.select<{ alert_id: string }>(
    'alerts of endpoints',
    `SELECT DISTINCT alert_id FROM ${s.table('alerts')}
       WHERE ip IN (${ips.map((i) => lit(i)).join(', ')}) AND port != 0 AND (ip, proto, port) IN (${keys.join(', ')})`,
  );
  return rows.map((r) => r.alert_id);
}

export interface Assignment {
  ts: number;
  assignee: string;
  actor: string;
  note: string;
}

/** The current assignment of each of these alerts that has one. */
export function latestAssignments(s: Store, ids: string[]): Promise<Map<string, Assignment>> {
  return latestPerAlert(s, 'alert_assignments', ['assignee', 'actor', 'note'] as const, ids);
}

/** Every assignment of one alert, oldest first. */
export async function assignmentHistory(s: Store, id: string): Promise<Assignment[]> {
  const rows = await s.select<Record<string, unknown>>(
    'alert assignments',
    `SELECT ts, assignee, actor, note FROM ${s.table('alert_assignments')} FINAL WHERE alert_id = ${lit(id)} ORDER BY ts`,
  );
  return rows.map((r) => ({
    ts: u64(r.ts),
    assignee: r.assignee as string,
    actor: r.actor as string,
    note: r.note as string,
  }));
}
