// `porthole analyzer`: wiring only. Migrates the schema, loads the endpoint states, consumes
// Observations in a consumer group, runs the alert outbox, the stale sweep and the retention
// job, and stops cleanly on SIGTERM/SIGINT.

import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { createOutbox, kafkaSink, type Sink, webhookSink } from './alert/outbox.js';
import type { AnalyzerConfig } from './config.js';
import { createBatchHandler } from './consume.js';
import { Detector } from './detect.js';
import { Store } from './store/clickhouse-store.js';
import { Coalescer } from './store/coalescer.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function untilReady<T>(what: string, logger: Logger, fn: () => Promise<T>): Promise<T> {
  let warned = false;
  for (let backoff = 500; ; backoff = Math.min(backoff * 2, 5000)) {
    try {
      return await fn();
    } catch (err) {
      if (
        (err as { retriable?: boolean }).retriable !== true &&
        !/ECONNREFUSED|Connection error|coordinator/i.test(String((err as Error).message))
      )
        throw err;
      if (!warned) logger.warn({ err: (err as Error).message }, `${what} unavailable; retrying`);
      warned = true;
      await sleep(backoff);
    }
  }
}

export async function runAnalyzer(cfg: AnalyzerConfig, logger: Logger): Promise<number> {
  const store = new Store(cfg.clickhouse);
  const changes = await untilReady('clickhouse', logger, () => store.migrate());
  logger.info({ database: cfg.clickhouse.database, version: await store.version(), added: changes }, 'schema ready');

  let firstStart = Number(await store.getMeta('first_start'));
  if (!firstStart) {
    firstStart = Date.now();
    await store.setMeta('first_start', String(firstStart));
  }
  const learningUntil = firstStart + cfg.policy.learningPeriodMs;
  if (learningUntil > Date.now())
    logger.info({ remainingMs: learningUntil - Date.now() }, 'learning period: building the baseline, no alerts yet');
  const detector = new Detector(cfg.policy, learningUntil, new Set());
  const reload = async (): Promise<void> => detector.load(await store.loadStates(), await store.alertIds());
  await reload();

  const kafka = new Kafka({
    clientId: cfg.kafka.clientId,
    brokers: cfg.kafka.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, maxRetryTime: 5000 },
  });
  const admin = kafka.admin();
  await untilReady('kafka', logger, async () => {
    await admin.connect();
    const have = new Set(await admin.listTopics());
    const want = [cfg.kafka.deadLetterTopic, cfg.kafka.alertsTopic, cfg.kafka.observationsTopic].filter(
      (t) => !have.has(t),
    );
    if (want.length)
      await admin.createTopics({
        waitForLeaders: true,
        topics: want.map((topic) => ({ topic, numPartitions: topic === cfg.kafka.observationsTopic ? 6 : 1 })),
      });
    await admin.disconnect();
  });
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
    inserts: new Coalescer((t, rows) => store.insert(t, rows), { maxRows: cfg.batchSize, lingerMs: 200 }),
    homeNetworks: cfg.policy.homeNetworks,
    scannerAddresses: cfg.policy.scannerAddresses,
    deadLetterTopic: cfg.kafka.deadLetterTopic,
    logger: logger.child({ component: 'consume' }),
    onAlerts: () => void outbox.round(),
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    logger.info({ assignment: e.payload.memberAssignment }, 'joined consumer group');
    void reload().catch((err) => logger.warn({ err: err.message }, 'state reload failed'));
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
          void store
            .insert('endpoint_states', stale)
            .catch((err) => logger.warn({ err: err.message }, 'stale sweep not stored'));
      },
      Math.min(30_000, Math.max(1000, cfg.policy.staleAfterMs / 2)),
    ),
    setInterval(
      () =>
        void store
          .dropOldPartitions(cfg.retentionDays)
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
