// The analyzer's Prometheus metrics: views of the consume stats its status line logs (read when
// scraped), the duration of each ClickHouse insert, and the consumer lag per partition as of the
// last batch fetched (kafkajs gives each batch the partition's high watermark: no extra request).
// Limit: the lag is not re-measured between batches, so while a batch is held up (ClickHouse
// away) the gauge keeps its value from when that batch was fetched; the consumed total standing
// still says so. Names and meanings: docs/operations.md "Prometheus metrics".

import type { Consumer } from 'kafkajs';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { counterView, labelledCounterView } from '../common/metric-views.js';
import type { ConsumeStats } from './consume.js';
import type { InsertFn } from './store/coalescer.js';

export interface AnalyzerMetrics {
  /** `insert`, each call's duration observed by table when it succeeds */
  timed(insert: InsertFn): InsertFn;
  /** follow `consumer`'s batches for the lag of each partition it holds */
  followLag(consumer: Consumer): void;
}

export function registerAnalyzerMetrics(registry: Registry, stats: () => ConsumeStats): AnalyzerMetrics {
  counterView(
    registry,
    'porthole_observations_consumed_total',
    'Messages consumed from the Observations topic and committed (invalid ones included).',
    () => stats().messages,
  );
  labelledCounterView(
    registry,
    'porthole_dead_letters_total',
    'Messages sent to the dead-letter topic, by reason.',
    'reason',
    () => stats().deadByReason,
  );
  labelledCounterView(
    registry,
    'porthole_alerts_raised_total',
    'Alerts raised by detection, by kind.',
    'kind',
    () => stats().alertsByKind,
  );
  const inserts = new Histogram({
    name: 'porthole_clickhouse_insert_duration_seconds',
    help: 'Duration of each ClickHouse insert that succeeded, by table.',
    labelNames: ['table'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'porthole_kafka_consumer_lag',
    help: 'Observations not yet processed per partition held, as of the last batch fetched.',
    labelNames: ['partition'],
    registers: [registry],
  });
  return {
    timed: (insert) => async (table, rows) => {
      const end = inserts.startTimer({ table });
      await insert(table, rows);
      end();
    },
    followLag(consumer) {
      const e = consumer.events;
      // on each (re)join the partitions held may change: a partition given up has no lag here
      consumer.on(e.GROUP_JOIN, () => lag.reset());
      consumer.on(e.START_BATCH_PROCESS, ({ payload: p }) => {
        if (p.firstOffset !== null)
          lag.set({ partition: String(p.partition) }, Number(p.highWatermark) - Number(p.firstOffset));
      });
      consumer.on(e.END_BATCH_PROCESS, ({ payload: p }) =>
        lag.set({ partition: String(p.partition) }, Math.max(0, Number(p.offsetLag))),
      );
    },
  };
}
