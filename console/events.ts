// Live events for the console (Server-Sent Events): new alerts and alert state changes, read
// from ClickHouse by one poller shared by every subscriber. An event's id is `ts-type-key`,
// stable across reconnects and console restarts; a client that reconnects with Last-Event-ID is
// sent every event from LOOKBACK_MS before that one on, so a row stored late (an insert that
// finished after a poll read past its time) is not lost. Delivery is at least once: clients
// drop ids they have. Alerts are ordered by when they were stored (`stored_at`), changes by
// when they were made.

import { lit, u64 } from '../analyzer/store/compat.js';
import type { Store } from '../analyzer/store/store.js';

export const LOOKBACK_MS = 5_000;
/** Events a reconnecting client is sent at most (older ones: reload the list). */
export const MAX_REPLAY = 1_000;

export interface LiveEvent {
  id: string;
  type: 'alert' | 'alert_state';
  ts: number;
  data: Record<string, unknown>;
}

const POLL_BATCH = 10_000;

type Listener = (e: LiveEvent) => void;

/** The ts of an event id, or null when it is not one of ours. */
export function idTime(id: string | undefined): number | null {
  const m = /^(\d{1,15})-/.exec(id ?? '');
  return m ? Number(m[1]) : null;
}

function order(a: LiveEvent, b: LiveEvent): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Events stored at or after `from` (ms), oldest first, at most `limit`. */
export async function eventsSince(s: Store, from: number, limit = MAX_REPLAY): Promise<LiveEvent[]> {
  const day = Math.floor(from / 86_400_000);
  const [alerts, changes] = await Promise.all([
    s.select<Record<string, unknown>>(
      'live alerts',
      `SELECT alert_id, ts, kind, severity, ip, proto, port, message, owner, stored_at
         FROM ${s.table('alerts')} WHERE day >= toDate(${lit(day * 86_400)}) AND stored_at >= ${lit(from)}
        ORDER BY stored_at LIMIT ${lit(limit)}`,
    ),
    s.select<Record<string, unknown>>(
      'live alert changes',
      `SELECT alert_id, ts, state, actor, note FROM ${s.table('alert_events')}
        WHERE ts >= ${lit(from)} ORDER BY ts LIMIT ${lit(limit)}`,
    ),
  ]);
  const out: LiveEvent[] = [
    ...alerts.map((a) => {
      const at = u64(a.stored_at);
      return {
        id: `${at}-alert-${a.alert_id}`,
        type: 'alert' as const,
        ts: at,
        data: {
          alert_id: a.alert_id,
          ts: u64(a.ts),
          kind: a.kind,
          severity: a.severity,
          ip: a.ip,
          proto: a.proto,
          port: Number(a.port),
          message: a.message,
          owner: a.owner,
          state: 'open',
        },
      };
    }),
    ...changes.map((c) => {
      const at = u64(c.ts);
      return {
        id: `${at}-alert_state-${c.alert_id}-${c.state}`,
        type: 'alert_state' as const,
        ts: at,
        data: { alert_id: c.alert_id, state: c.state, actor: c.actor, note: c.note, ts: at },
      };
    }),
  ];
  return out.sort(order).slice(0, limit);
}

export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly seen = new Map<string, number>();
  private cursor = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  /** polls that failed in a row (the store away): subscribers wait, nothing is lost */
  failures = 0;

  constructor(
    private readonly store: Store,
    private readonly pollMs = 500,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  get subscribers(): number {
    return this.listeners.size;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    if (!this.timer) {
      this.cursor = Date.now() - LOOKBACK_MS;
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
        this.seen.clear();
      }
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const events = await eventsSince(this.store, this.cursor, POLL_BATCH);
      this.failures = 0;
      for (const e of events) {
        if (this.seen.has(e.id)) continue;
        this.seen.set(e.id, e.ts);
        for (const l of this.listeners) l(e);
      }
      // the next poll reads from LOOKBACK_MS before now (rows stored late), or before the last
      // event read when this poll read a full batch; ids older than that are forgotten
      const upTo = events.length >= POLL_BATCH ? events[events.length - 1].ts : Date.now();
      this.cursor = Math.max(this.cursor, upTo - LOOKBACK_MS);
      for (const [id, ts] of this.seen) if (ts < this.cursor) this.seen.delete(id);
    } catch (err) {
      this.failures += 1;
      if (this.failures === 1) this.onError(err);
    } finally {
      this.polling = false;
    }
  }
}
