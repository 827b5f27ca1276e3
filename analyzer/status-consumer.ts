// The sensors' health messages (status topic) into the `sensor_status` table, by a small
// consumer of its own in the analyzer process (its own group, so it never delays the
// Observations). Each batch: messages validated (a bad one is counted, logged once per batch and
// skipped), the rest inserted, then the offsets committed; while ClickHouse is away the batch is
// retried (heartbeating). A batch stored again after a crash collapses onto the same rows
// (sensor, ts). `start` returns once subscribed; `stop` waits at most KAFKA_STOP_WAIT_MS.

import type { EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { errorMessage, isRetriable } from '../common/errors.js';
import { KAFKA_STOP_WAIT_MS } from '../common/kafka.js';
import { retry } from '../common/retry.js';
import { within } from '../common/time.js';
import { validateSensorStatus } from '../schemas/status.js';
import { MAX_MESSAGE_BYTES } from './consume.js';
import { insertStatusRows, type SensorStatusRow, statusRow } from './store/sensor-status.js';
import type { Store } from './store/store.js';

export interface StatusConsumerStats {
  stored: number;
  skipped: number;
}

/** The reason a message is not a status, or its row. */
export function statusMessageRow(value: Buffer | null): { row: SensorStatusRow } | { reason: string } {
  if (!value || value.length === 0) return { reason: 'empty' };
  if (value.length > MAX_MESSAGE_BYTES) return { reason: `too large (${value.length} bytes)` };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (e) {
    return { reason: `not JSON: ${errorMessage(e)}` };
  }
  const r = validateSensorStatus(json);
  return r.ok ? { row: statusRow(r.value) } : { reason: r.errors.join('; ') };
}

/** The consumer group of the analyzers' status consumer, from their own group id. */
export const statusGroupOf = (analyzerGroupId: string): string => `${analyzerGroupId}-status`;

export function statusConsumer(o: { kafka: Kafka; store: Store; topic: string; groupId: string; logger: Logger }): {
  start(): Promise<void>;
  stop(): Promise<void>;
  stats: StatusConsumerStats;
} {
  const stats: StatusConsumerStats = { stored: 0, skipped: 0 };
  const consumer = o.kafka.consumer({ groupId: o.groupId, sessionTimeout: 30_000, heartbeatInterval: 3000 });

  async function handle(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    if (batch.messages.length === 0) return;
    const rows: SensorStatusRow[] = [];
    let skipped = 0;
    let firstBad = '';
    for (const m of batch.messages) {
      const r = statusMessageRow(m.value);
      if ('row' in r) rows.push(r.row);
      else {
        skipped++;
        firstBad ||= `offset ${m.offset}: ${r.reason}`;
      }
    }
    if (skipped) o.logger.warn({ skipped, first: firstBad.slice(0, 500) }, 'sensor status messages skipped');
    let warned = false;
    await retry(() => insertStatusRows(o.store, rows), {
      initialMs: 250,
      maxMs: 5000,
      giveUp: (err) => {
        if (!warned) o.logger.warn({ err: errorMessage(err) }, 'sensor status not stored; retrying');
        warned = true;
        return p.isRunning() && !p.isStale() ? null : (err as Error);
      },
      onRetry: () => p.heartbeat().catch(() => {}),
    }).catch((err) => {
      if (isRetriable(err)) throw err; // stopping or revoked: read again by whoever holds it next
      // refused by the store though valid: skipped rather than stall the topic
      o.logger.error({ err: errorMessage(err), messages: rows.length }, 'store refused sensor status; skipped');
      stats.skipped += rows.length;
      rows.length = 0;
    });
    const last = batch.messages[batch.messages.length - 1].offset;
    p.resolveOffset(last);
    await consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
    ]);
    stats.stored += rows.length;
    stats.skipped += skipped;
  }

  return {
    stats,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic: o.topic, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: handle });
    },
    async stop() {
      if ((await within(consumer.disconnect(), KAFKA_STOP_WAIT_MS)) === 'timeout')
        o.logger.warn({ waitedMs: KAFKA_STOP_WAIT_MS }, 'sensor status consumer did not stop; going on without it');
    },
  };
}
