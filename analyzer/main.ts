// `porthole analyzer`: wiring only. Migrates the schema, loads the endpoint states, consumes
// Observations in a consumer group, runs the alert outbox, the stale sweep and the retention
// job, and stops cleanly on SIGTERM/SIGINT.

import type { Logger } from 'pino';
import { errorMessage } from '../common/errors.js';
import { ensureTopics, kafkaClient, kafkaRetriable, topicSpec } from '../common/kafka.js';
import { retry } from '../common/retry.js';
import { TOPICS } from '../schemas/topics.js';
import { createOutbox, kafkaSink, type Sink, webhookSink } from './alert/outbox.js';
import type { AnalyzerConfig } from './config.js';
import { createBatchHandler } from './consume.js';
import { Detector } from './detect.js';
import { Coalescer } from './store/coalescer.js';
import { migrate } from './store/migrate.js';
import { loadStates } from './store/queries.js';
import { Store } from './store/store.js';
import { alertIds, dropOldPartitions, getMeta, insertRows, setMeta } from './store/writes.js';

/** Retry `fn` while its failure is retriable (a server still starting), warning once. */
function untilReady<T>(
  what: string,
  logger: Logger,
  fn: () => Promise<T>,
  retriable?: (err: unknown) => boolean,
): Promise<T> {
  let warned = false;
  return retry(fn, {
    initialMs: 500,
    maxMs: 5000,
    retriable,
    onRetry: (err) => {
      if (!warned) logger.warn({ err: errorMessage(err) }, `${what} unavailable; retrying`);
      warned = true;
    },
  });
}

export async function runAnalyzer(cfg: AnalyzerConfig, logger: Logger): Promise<number> {
  const store = new Store(cfg.clickhouse);
  const changes = await untilReady('clickhouse', logger, () => migrate(store));
  logger.info({ database: cfg.clickhouse.database, version: await store.version(), added: changes }, 'schema ready');

  let firstStart = Number(await getMeta(store, 'first_start'));
  if (!firstStart) {
    firstStart = Date.now();
    await setMeta(store, 'first_start', String(firstStart));
  }
  const learningUntil = firstStart + cfg.policy.learningPeriodMs;
  if (learningUntil > Date.now())
    logger.info({ remainingMs: learningUntil - Date.now() }, 'learning period: building the baseline, no alerts yet');
  const detector = new Detector(cfg.policy, learningUntil, new Set());
  const reload = async (): Promise<void> => detector.load(await loadStates(store), await alertIds(store));
  await reload();

  const kafka = kafkaClient(cfg.kafka, 'patient');
  const admin = kafka.admin();
  await untilReady(
    'kafka',
    logger,
    async () => {
      await admin.connect();
      await ensureTopics(admin, [
        topicSpec(cfg.kafka.deadLetterTopic, TOPICS.deadLetters),
        topicSpec(cfg.kafka.alertsTopic, TOPICS.alerts),
        topicSpec(cfg.kafka.observationsTopic, TOPICS.observations),
      ]);
      await admin.disconnect();
    },
    kafkaRetriable,
  );
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const sinks: Sink[] = [
    kafkaSink(producer, cfg.kafka.alertsTopic),
    ...cfg.alerts.webhooks.map((u) => webhookSink(u, false)),
    ...cfg.alerts.slackWebhooks.map((u) => webhookSink(u, true)),
  ];
  const outbox = createOutbox(store, sinks, logger.child({ component: 'alerts' }));
  const consumer = kafka.consumer({
    groupId: cfg.kafka.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    maxBytesPerPartition: 4 << 20,
    maxBytes: 16 << 20,
  });
  const handler = createBatchHandler({
    consumer,
    producer,
    detector,
    inserts: new Coalescer((t, rows) => store.insertJson(t, rows), { maxRows: cfg.batchSize, lingerMs: 200 }),
    homeNetworks: cfg.policy.homeNetworks,
    scannerAddresses: cfg.policy.scannerAddresses,
    deadLetterTopic: cfg.kafka.deadLetterTopic,
    logger: logger.child({ component: 'consume' }),
    onAlerts: () => void outbox.round(),
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    logger.info({ assignment: e.payload.memberAssignment }, 'joined consumer group');
    void reload().catch((err) => logger.warn({ err: errorMessage(err) }, 'state reload failed'));
  });
  await consumer.connect();
  await consumer.subscribe({ topic: cfg.kafka.observationsTopic, fromBeginning: true });
  // partitions are independent (an endpoint's ip always lands in the same one), so several are
  // processed at once and their rows share ClickHouse inserts (store/coalescer.ts)
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: cfg.partitionsAtOnce,
    eachBatch: handler.handle,
  });

  const timers = [
    setInterval(() => void outbox.round(), 2000),
    setInterval(
      () => {
        const stale = detector.sweepStale(Date.now());
        if (stale.length)
          void insertRows(store, 'endpoint_states', stale).catch((err) =>
            logger.warn({ err: errorMessage(err) }, 'stale sweep not stored'),
          );
      },
      Math.min(30_000, Math.max(1000, cfg.policy.staleAfterMs / 2)),
    ),
    setInterval(
      () =>
        void dropOldPartitions(store, cfg.retentionDays)
          .then((p) => p.length && logger.info({ partitions: p }, 'dropped old observations'))
          .catch(() => {}),
      3_600_000,
    ),
    setInterval(() => logger.info({ stats: handler.stats }, 'analyzer status'), 10_000),
  ];
  void outbox.round();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  logger.info('stopping');
  timers.forEach(clearInterval);
  await consumer.disconnect();
  await outbox.round();
  await producer.disconnect();
  await store.close();
  logger.info({ stats: handler.stats }, 'analyzer stopped');
  return 0;
}
