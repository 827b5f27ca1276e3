// Lifecycle figures per owner, for `porthole report`: for every exposure alert (new or reopened
// service) raised in a period, how long from the exposure's start (its first SYN+ACK) to the
// alert, to the first acknowledgement, and to its close (the exposure ended, or the alert was
// resolved, whichever came first); then the median and 90th percentile of each per owner.
// Read from the alerts, alert_events and exposure_events tables; the figures are a pure function.
// Limit: an alert whose exposure start is unknown (raised before exposure events existed)
// counts in `alerts` and `open` but not in the time from start to alert.

import { lit, u64 } from './store/compat.js';
import type { Store } from './store/store.js';

export interface AlertLifecycle {
  alert_id: string;
  owner: string;
  /** when the alert was raised (ms) */
  ts: number;
  /** the exposure's start, null when unknown */
  start: number | null;
  ack: number | null;
  closed: number | null;
}

export interface Spread {
  n: number;
  median_ms: number | null;
  p90_ms: number | null;
}

export interface OwnerFigures {
  owner: string;
  alerts: number;
  /** alerts whose exposure has not closed */
  open: number;
  start_to_alert: Spread;
  start_to_ack: Spread;
  start_to_close: Spread;
}

/** The value below which `q` of the sorted values fall (nearest rank). */
function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function spread(values: number[]): Spread {
  const v = values.filter((x) => x >= 0).sort((a, b) => a - b);
  return { n: v.length, median_ms: quantile(v, 0.5), p90_ms: quantile(v, 0.9) };
}

/** Figures per owner (unowned alerts under ""), owners in name order. */
export function figures(rows: AlertLifecycle[]): OwnerFigures[] {
  const by = new Map<string, AlertLifecycle[]>();
  for (const r of rows) by.set(r.owner, [...(by.get(r.owner) ?? []), r]);
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([owner, rs]) => {
      const from = (pick: (r: AlertLifecycle) => number | null) =>
        spread(rs.flatMap((r) => (r.start !== null && pick(r) !== null ? [(pick(r) as number) - r.start] : [])));
      return {
        owner,
        alerts: rs.length,
        open: rs.filter((r) => r.closed === null).length,
        start_to_alert: from((r) => r.ts),
        start_to_ack: from((r) => r.ack),
        start_to_close: from((r) => r.closed),
      };
    });
}

const EXPOSURE_KINDS = "('new_service', 'reopened_service')";

/** The lifecycle of every exposure alert raised at or after `sinceMs`. */
export async function lifecycles(s: Store, sinceMs: number): Promise<AlertLifecycle[]> {
  const alerts = `SELECT alert_id, ts, ip, proto, port, owner FROM ${s.table('alerts')}
    WHERE kind IN ${EXPOSURE_KINDS} AND ts >= ${lit(sinceMs)}`;
  const [rows, events, exposures] = await Promise.all([
    s.select<Record<string, unknown>>('report alerts', `SELECT DISTINCT * FROM (${alerts})`),
    s.select<Record<string, unknown>>(
      'report alert events',
      `SELECT alert_id, state, min(ts) AS at FROM ${s.table('alert_events')}
       WHERE alert_id IN (SELECT alert_id FROM (${alerts})) GROUP BY alert_id, state`,
    ),
    s.select<Record<string, unknown>>(
      'report exposures',
      `SELECT ip, proto, port, ts, event FROM ${s.table('exposure_events')}
       WHERE (ip, proto, port) IN (SELECT ip, proto, port FROM (${alerts})) ORDER BY ip, proto, port, ts`,
    ),
  ]);
  const firstEvent = new Map<string, number>();
  for (const e of events) firstEvent.set(`${e.alert_id}|${e.state}`, u64(e.at));
  const byEndpoint = new Map<string, Array<{ ts: number; event: string }>>();
  for (const e of exposures) {
    const k = `${e.ip}|${e.proto}|${e.port}`;
    byEndpoint.set(k, [...(byEndpoint.get(k) ?? []), { ts: u64(e.ts), event: e.event as string }]);
  }
  return rows.map((r) => {
    const ts = u64(r.ts);
    const id = r.alert_id as string;
    const ev = byEndpoint.get(`${r.ip}|${r.proto}|${r.port}`) ?? [];
    // the exposure an alert is about: the latest one opened at or before it
    const opened = ev.filter((e) => e.event === 'open' && e.ts <= ts).at(-1);
    const start = opened?.ts ?? null;
    const ended = start === null ? undefined : ev.find((e) => e.event === 'close' && e.ts >= start);
    const resolved = firstEvent.get(`${id}|resolved`) ?? null;
    const closes = [ended?.ts ?? null, resolved].filter((x): x is number => x !== null);
    return {
      alert_id: id,
      owner: (r.owner as string) ?? '',
      ts,
      start,
      ack: firstEvent.get(`${id}|acknowledged`) ?? null,
      closed: closes.length ? Math.min(...closes) : null,
    };
  });
}
