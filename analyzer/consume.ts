// Kafka batches in, ClickHouse rows out. Each batch: validate every message (invalid ones go to
// the dead-letter topic with the reason, counted, never stalling the partition), insert the
// Observations not stored before, derive and store exposure changes, alerts and state changes,
// and only then commit the offsets. While ClickHouse is away the batch is retried with backoff
// (heartbeating, so the group keeps the partition), which pauses that partition without losing
// anything. A message redelivered after a crash is not inserted again (store/ingest-offsets.ts),
// nor a sensor's recent resend (recent-windows.ts); several sensors' Observations of one
// endpoint's window are stored each, counted once (window-counts.ts); what detection derives
// again collapses in its table (ReplacingMergeTree, deterministic keys).

import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { errorMessage, isRetriable } from '../common/errors.js';
import { retry } from '../common/retry.js';
import { sleep } from '../common/time.js';
import { OBSERVATION_VERSIONS, type Observation, validateObservation } from '../schemas/observation.js';
import type { Detector } from './detect.js';
import { AnalyzerError } from './errors.js';
import { toObservationRow } from './observation-row.js';
import { type Cidr, inAny, isScannerProbe } from './policy.js';
import type { Coalescer } from './store/coalescer.js';
import type { RecentWindows } from './recent-windows.js';
import type { IngestOffsets } from './store/ingest-offsets.js';
import type { StoredCounts, WindowCounts } from './window-counts.js';

export const MAX_MESSAGE_BYTES = 64 * 1024;

export interface ConsumeStats {
  messages: number;
  stored: number;
  /** valid messages already stored (redelivered, or a sensor's resend): not inserted again */
  alreadyStored: number;
  deadLettered: number;
  deadByReason: Record<string, number>;
  alerts: number;
  alertsByKind: Record<string, number>;
  retries: number;
  scannerProbes: number;
}

export interface ConsumeDeps {
  consumer: Consumer;
  producer: Producer;
  inserts: Coalescer; // rows of concurrent batches merged into shared inserts
  offsets: IngestOffsets;
  recent: RecentWindows;
  counts: WindowCounts;
  /** what `counts` reads of windows it may not hold (store/sensor-counts.ts) */
  storedCounts: StoredCounts;
  detector: Detector;
  homeNetworks: Cidr[];
  scannerAddresses: Set<string>;
  deadLetterTopic: string;
  logger: Logger;
  onAlerts: () => void;
  /** settles when the states of the assigned partitions are loaded (batches wait for it) */
  ready?: () => Promise<void>;
}

/**
 * Parse and validate one message: the Observation, or the reason it is refused. A version 1
 * message is upgraded with `isInternal` (the analyzer's home networks) deciding its clients' zone.
 */
export function parseMessage(
  m: KafkaMessage,
  isInternal?: (ip: string) => boolean,
): { obs: Observation } | { reason: string; detail: string } {
  const v = m.value;
  if (!v || v.length === 0) return { reason: 'empty', detail: 'no value' };
  if (v.length > MAX_MESSAGE_BYTES) return { reason: 'too_large', detail: `${v.length} bytes > ${MAX_MESSAGE_BYTES}` };
  let json: unknown;
  try {
    json = JSON.parse(v.toString('utf8'));
  } catch (e) {
    return { reason: 'not_json', detail: errorMessage(e) };
  }
  if (json && typeof json === 'object' && 'v' in json && !OBSERVATION_VERSIONS.includes((json as { v: number }).v)) {
    return { reason: 'wrong_version', detail: `v=${JSON.stringify((json as { v: unknown }).v)}` };
  }
  const r = validateObservation(json, isInternal);
  return r.ok ? { obs: r.value } : { reason: 'invalid', detail: r.errors.join('; ') };
}

export function createBatchHandler(d: ConsumeDeps): {
  handle: (p: EachBatchPayload) => Promise<void>;
  stats: ConsumeStats;
} {
  const stats: ConsumeStats = {
    messages: 0,
    stored: 0,
    alreadyStored: 0,
    deadLettered: 0,
    deadByReason: {},
    alerts: 0,
    alertsByKind: {},
    retries: 0,
    scannerProbes: 0,
  };
  let outage = false;
  const internal = (ip: string): boolean => inAny(ip, d.homeNetworks);

  // retriable failures (ClickHouse or Kafka away) are retried with backoff, heartbeating so the
  // group keeps the partition; a batch whose partition was revoked meanwhile is abandoned (after
  // the failure is counted and the outage logged, like any other)
  async function retrying<T>(what: string, p: EachBatchPayload, fn: () => Promise<T>): Promise<T> {
    const r = await retry(fn, {
      initialMs: 250,
      maxMs: 5000,
      giveUp: (err) => {
        if (!outage) d.logger.warn({ what, err: errorMessage(err) }, 'store unavailable: partition paused, retrying');
        outage = true;
        stats.retries++;
        if (p.isRunning() && !p.isStale()) return null;
        return new AnalyzerError('STORE_UNAVAILABLE', 'batch abandoned while waiting for the store', {
          retriable: true,
          cause: err,
        });
      },
      onRetry: () => p.heartbeat().catch(() => {}),
    });
    if (outage) d.logger.info({ what }, 'store reachable again; resuming');
    outage = false;
    return r;
  }

  async function deadLetter(
    p: EachBatchPayload,
    items: Array<{ m: KafkaMessage; reason: string; detail: string }>,
  ): Promise<void> {
    if (items.length === 0) return;
    await retrying('dead-letter', p, async () => {
      try {
        await d.producer.send({
          topic: d.deadLetterTopic,
          acks: -1,
          messages: items.map(({ m, reason, detail }) => ({
            key: m.key,
            value: m.value,
            headers: {
              'porthole-reason': reason,
              'porthole-detail': detail.slice(0, 1000),
              'porthole-source': `${p.batch.topic}/${p.batch.partition}/${m.offset}`,
            },
          })),
        });
      } catch (err) {
        throw new AnalyzerError('SINK_FAILED', `dead-letter topic: ${errorMessage(err)}`, {
          retriable: true,
          cause: err,
        });
      }
    });
    for (const { reason } of items) {
      stats.deadLettered++;
      stats.deadByReason[reason] = (stats.deadByReason[reason] ?? 0) + 1;
    }
  }

  /** Wait for the assigned partitions' states (heartbeating, so the group keeps the partition). */
  async function untilLoaded(p: EachBatchPayload): Promise<void> {
    const ready = d.ready?.();
    if (!ready) return;
    let loaded = false;
    void ready.then(() => {
      loaded = true;
    });
    while (!loaded) {
      await Promise.race([ready, sleep(3000)]);
      if (!loaded) await p.heartbeat().catch(() => {});
    }
  }

  async function handle(p: EachBatchPayload): Promise<void> {
    if (p.batch.messages.length === 0) return;
    await untilLoaded(p);
    d.inserts.begin();
    try {
      await handleBatch(p);
    } finally {
      d.inserts.end();
    }
  }

  async function handleBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const t0 = Date.now();
    const good: Observation[] = [];
    const offsets: number[] = [];
    const bad: Array<{ m: KafkaMessage; reason: string; detail: string }> = [];
    let probes = 0;
    for (const m of batch.messages) {
      const r = parseMessage(m, internal);
      if (!('obs' in r)) bad.push({ m, ...r });
      else if (isScannerProbe(r.obs, d.scannerAddresses)) probes++;
      else {
        good.push(r.obs);
        offsets.push(Number(m.offset));
      }
    }
    stats.scannerProbes += probes;
    const tParsed = Date.now();
    await deadLetter(p, bad);
    const now = Date.now();
    const ingestedAt = Math.floor(now / 1000);
    const partition = batch.partition;
    // a sensor's resend (a new offset, the same window) is not inserted again
    const rows = d.recent.fresh(
      good.map((o, i) => toObservationRow(o, d.homeNetworks, ingestedAt, { partition, offset: offsets[i] })),
    );
    try {
      await retrying('insert observations', p, async () => {
        const floor = await d.offsets.floor(partition);
        const fresh = floor < 0 ? rows : rows.filter((r) => r.kafka_offset > floor);
        // what other sensors' Observations of the same windows already counted
        await d.counts.load(fresh, d.storedCounts);
        d.counts.count(fresh);
        try {
          await d.inserts.add('observations', fresh);
        } catch (err) {
          d.offsets.forget(partition); // the insert may have landed: read the position again
          throw err;
        }
        if (fresh.length) d.offsets.stored(partition, fresh[fresh.length - 1].kafka_offset);
        d.recent.stored(fresh);
        d.counts.stored(fresh);
        stats.alreadyStored += good.length - fresh.length;
      });
    } catch (err) {
      if (isRetriable(err)) throw err;
      // the store refused rows that passed validation: dead-letter them rather than stall
      d.logger.error({ err: errorMessage(err) }, 'store refused a batch; dead-lettering it');
      await deadLetter(
        p,
        batch.messages.map((m) => ({ m, reason: 'store_rejected', detail: errorMessage(err) })),
      );
      good.length = 0;
    }
    const tStored = Date.now();
    const changes = d.detector.apply(good, now, partition);
    await retrying('insert alerts', p, () => {
      // the outbox reads alerts in the order they were written: each attempt is stamped anew, so
      // alerts held back by an outage are not older than the cursor that passed meanwhile
      const at = Date.now();
      for (const a of changes.alerts) a.stored_at = at;
      return d.inserts.add('alerts', changes.alerts);
    });
    await retrying('insert exposures', p, () => d.inserts.add('exposure_events', changes.exposures));
    await retrying('insert states', p, () => d.inserts.add('endpoint_states', changes.states));
    const tStates = Date.now();
    const last = batch.messages[batch.messages.length - 1].offset;
    p.resolveOffset(last);
    await d.consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
    ]);
    stats.messages += batch.messages.length;
    stats.stored += good.length;
    stats.alerts += changes.alerts.length;
    for (const a of changes.alerts) stats.alertsByKind[a.kind] = (stats.alertsByKind[a.kind] ?? 0) + 1;
    if (changes.alerts.length) d.onAlerts();
    d.logger.debug(
      {
        partition: batch.partition,
        messages: batch.messages.length,
        states: changes.states.length,
        ms: Date.now() - t0,
        parseMs: tParsed - t0,
        insertMs: tStored - now,
        stateMs: tStates - tStored,
      },
      'batch',
    );
  }

  return { handle, stats };
}
