// Delivers stored alerts to every sink and records each delivery in ClickHouse; undelivered
// alerts are retried every round, so an outage of a sink delays alerts but loses none.
// Bounded work whatever the backlog: each sink keeps a cursor (the write time before which it has
// taken everything, in the meta table) and reads at most one page of alerts after it per query.
// Storm control for sinks read by people: at most alerts.ratePerMinute messages a minute; when
// more alerts wait than alerts.digestAbove (or than the tokens left), they go as digests per
// network or host (alert/storm.ts). A digest is stored, with its alerts marked as carried by it,
// before it is sent, and recorded as delivered after: a crash in between sends it again at the
// next round, never loses it. Machine sinks (Kafka) get every alert on its own, in batches.
// A sink may take one owner's alerts only (sink.owner): its queries select those in ClickHouse.
// ClickHouse unreachable is one outage for all sinks: logged once, and once when it answers again.
// Limit: a crash between a delivery and its record repeats that one delivery (consumers can
// deduplicate on alert_id or digest_id, which every message carries).

import type { Logger } from 'pino';
import { errorMessage } from '../../common/errors.js';
import { isoDay } from '../../common/time.js';
import type { AlertRow } from '../../schemas/tables.js';
import type { Store } from '../store/store.js';
import {
  alertsById,
  type DigestRow,
  getMeta,
  recordDeliveries,
  setMeta,
  undelivered,
  undeliveredDigests,
  waitingNetworks,
} from '../store/writes.js';
import type { Sink } from './sinks.js';
import { type Delivery, DIGEST_MAX_ALERTS, type Digest, plan, TokenBucket } from './storm.js';

export interface OutboxOptions {
  /** messages a minute at most to each sink read by people */
  ratePerMinute: number;
  /** more alerts waiting than this go as digests */
  digestAbove: number;
  /** alerts read per query */
  pageSize: number;
}

export interface SinkStats {
  delivered: number;
  digests: number;
  /** alerts found waiting in the last page read (the page size means at least that many) */
  waiting: number;
  failing: boolean;
}

/** Alerts written less than this ago may still be in flight: the cursor stays behind them. */
const IN_FLIGHT_MS = 60_000;
/** A machine sink is sent this many alerts per request. */
const BATCH = 500;
/** A round spends about this long on one machine sink's backlog before going on. */
const ROUND_BUDGET_MS = 1500;

export interface Outbox {
  round(): Promise<number>;
  stats(): Record<string, SinkStats>;
}

export function createOutbox(store: Store, sinks: Sink[], o: OutboxOptions, logger: Logger): Outbox {
  const stats: Record<string, SinkStats> = {};
  const buckets = new Map<string, TokenBucket>();
  const cursors = new Map<string, number>();
  for (const s of sinks) stats[s.name] = { delivered: 0, digests: 0, waiting: 0, failing: false };
  let busy = false;
  let storeDown = false;
  let lastReport = 0;
  let reported = 0;

  async function cursorOf(sink: string): Promise<number> {
    let c = cursors.get(sink);
    if (c === undefined) {
      c = Number((await getMeta(store, `outbox_cursor|${sink}`)) ?? 0);
      cursors.set(sink, c);
    }
    return c;
  }

  async function advance(sink: string, to: number): Promise<void> {
    if (to <= (cursors.get(sink) ?? 0)) return;
    await setMeta(store, `outbox_cursor|${sink}`, String(to));
    cursors.set(sink, to);
  }

  function record(sink: Sink, ids: string[], via = ''): Promise<void> {
    const at = Date.now();
    return recordDeliveries(
      store,
      ids.map((alert_id) => ({ alert_id, sink: sink.name, delivered_at: at, via })),
    );
  }

  async function sendDigest(sink: Sink, d: Digest<AlertRow>): Promise<void> {
    await sink.deliverDigest!(d);
    await record(sink, [d.digest_id]);
    stats[sink.name].digests++;
    stats[sink.name].delivered += d.alerts.length;
  }

  /** Digests stored but not sent (a crash in between): sent first. */
  async function resumeDigests(sink: Sink, cursor: number): Promise<void> {
    for (const row of await undeliveredDigests(store, sink.name, cursor)) {
      const alerts = await alertsById(store, JSON.parse(row.alert_ids) as string[]);
      if (alerts.length === 0) continue;
      await sendDigest(sink, digestFromRow(row, alerts));
    }
  }

  async function forMachines(sink: Sink, cursor: number): Promise<void> {
    const started = Date.now();
    for (;;) {
      const page = await undelivered(store, sink, cursor, o.pageSize);
      stats[sink.name].waiting = page.length;
      for (let i = 0; i < page.length; i += BATCH) {
        const part = page.slice(i, i + BATCH);
        if (sink.deliverBatch) await sink.deliverBatch(part);
        else for (const a of part) await sink.deliver(a);
        await record(
          sink,
          part.map((a) => a.alert_id),
        );
        stats[sink.name].delivered += part.length;
      }
      const next = Math.min(
        page.length === o.pageSize ? page[page.length - 1].stored_at : Infinity,
        Date.now() - IN_FLIGHT_MS,
      );
      await advance(sink.name, next);
      cursor = Math.max(cursor, next);
      if (page.length < o.pageSize || Date.now() - started > ROUND_BUDGET_MS) return;
    }
  }

  async function forPeople(sink: Sink, cursor: number): Promise<void> {
    let bucket = buckets.get(sink.name);
    if (!bucket) {
      bucket = new TokenBucket(o.ratePerMinute, Date.now());
      buckets.set(sink.name, bucket);
    }
    await resumeDigests(sink, cursor);
    const page = await undelivered(store, sink, cursor, o.pageSize);
    stats[sink.name].waiting = page.length;
    const tokens = bucket.available(Date.now());
    const sent = new Set<string>();
    if (page.length > Math.min(tokens, o.digestAbove)) {
      // a storm: a digest for each of the networks with the most alerts waiting, as many as the
      // tokens allow (alerts written before networks were recorded are grouped within the page)
      for (const { net } of await waitingNetworks(store, sink, cursor, tokens)) {
        if (!bucket.take(Date.now())) break;
        const alerts = net ? await undelivered(store, sink, cursor, DIGEST_MAX_ALERTS, net) : [];
        const d = alerts.length ? plan(sink.name, alerts, 1, 0)[0] : plan(sink.name, page, 1, 0)[0];
        await send(sink, d, sent);
      }
    } else {
      for (const a of page) {
        if (!bucket.take(Date.now())) break;
        await send(sink, { single: a }, sent);
      }
    }
    // the cursor stays at the first alert of the page still waiting; past a full page, at its
    // last alert (more may wait beyond it)
    const firstWaiting = page.find((a) => !sent.has(a.alert_id));
    const full = page.length === o.pageSize ? page[page.length - 1].stored_at : Infinity;
    await advance(sink.name, Math.min(firstWaiting?.stored_at ?? full, Date.now() - IN_FLIGHT_MS));
  }

  async function send(sink: Sink, d: Delivery<AlertRow>, sent: Set<string>): Promise<void> {
    if ('single' in d) {
      await sink.deliver(d.single);
      await record(sink, [d.single.alert_id]);
      stats[sink.name].delivered++;
      sent.add(d.single.alert_id);
    } else {
      await storeDigest(sink, d.digest);
      for (const a of d.digest.alerts) sent.add(a.alert_id);
      await sendDigest(sink, d.digest);
    }
  }

  async function storeDigest(sink: Sink, g: Digest<AlertRow>): Promise<void> {
    const now = Date.now();
    await store.insertJson('alert_digests', [
      {
        day: isoDay(now),
        digest_id: g.digest_id,
        sink: sink.name,
        ts: now,
        scope: g.scope,
        severity: g.severity,
        alert_count: g.alerts.length,
        alert_ids: JSON.stringify(g.alerts.map((a) => a.alert_id)),
        message: g.message,
      } satisfies DigestRow,
    ]);
    await record(
      sink,
      g.alerts.map((a) => a.alert_id),
      g.digest_id,
    );
  }

  function storeAnswered(): void {
    if (storeDown) logger.info('alert outbox: ClickHouse reachable again');
    storeDown = false;
  }

  function report(): void {
    const total = Object.values(stats).reduce((n, s) => n + s.delivered, 0);
    const now = Date.now();
    const backlog = Object.entries(stats).filter(([, s]) => s.waiting >= o.pageSize);
    if (backlog.length && now - lastReport >= 10_000) {
      const rate = lastReport ? Math.round(((total - reported) * 1000) / (now - lastReport)) : null;
      logger.info(
        {
          sinks: Object.fromEntries(backlog.map(([n, s]) => [n, { delivered: s.delivered, digests: s.digests }])),
          perSecond: rate,
        },
        'alert backlog draining',
      );
      lastReport = now;
      reported = total;
    }
  }

  return {
    stats: () => stats,
    async round() {
      if (busy) return 0;
      busy = true;
      const before = Object.values(stats).reduce((n, s) => n + s.delivered, 0);
      try {
        for (const sink of sinks) {
          const st = stats[sink.name];
          try {
            const cursor = await cursorOf(sink.name);
            if (sink.forPeople) await forPeople(sink, cursor);
            else await forMachines(sink, cursor);
            storeAnswered();
            if (st.failing) logger.info({ sink: sink.name }, 'alert sink delivering again');
            st.failing = false;
          } catch (err) {
            if ((err as { code?: unknown }).code === 'STORE_UNAVAILABLE') {
              // one outage of the store, not one per sink: every sink waits for it
              if (!storeDown)
                logger.warn({ err: errorMessage(err) }, 'alert outbox: ClickHouse unreachable; will retry');
              storeDown = true;
              break;
            }
            storeAnswered(); // each sink's round reads the store before it delivers
            if (!st.failing) logger.warn({ sink: sink.name, err: errorMessage(err) }, 'alert sink failing; will retry');
            st.failing = true;
          }
        }
        report();
      } finally {
        busy = false;
      }
      return Object.values(stats).reduce((n, s) => n + s.delivered, 0) - before;
    },
  };
}

function digestFromRow(row: DigestRow, alerts: AlertRow[]): Digest<AlertRow> {
  return { digest_id: row.digest_id, scope: row.scope, severity: row.severity, alerts, message: row.message };
}
