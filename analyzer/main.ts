// `porthole analyzer`: wiring only. Migrates the schema, loads the endpoint states, consumes
// Observations in a consumer group, stores the sensors' health messages (a consumer of its own),
// runs the alert outbox, the stale sweep (which resolves the alerts of stale endpoints), the
// expected-services refresh and the retention job, serves its Prometheus metrics, and stops
// cleanly on SIGTERM/SIGINT.

import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { errorMessage } from '../common/errors.js';
import { ensureTopics, KAFKA_STOP_WAIT_MS, kafkaClient, kafkaRetriable, topicSpec } from '../common/kafka.js';
import { serveMetrics } from '../common/metrics.js';
import { kafkaSecurityFailure } from '../common/kafka-failure.js';
import { hostname } from 'node:os';
import { retry } from '../common/retry.js';
import { within } from '../common/time.js';
import { portholeVersion } from '../common/version.js';
import { TOPICS } from '../schemas/topics.js';
import { resolveEndpointAlerts } from './alert/lifecycle.js';
import { createOutbox } from './alert/outbox.js';
import { kafkaSink } from './alert/kafka-sink.js';
import { type Sink, webhookSink } from './alert/sinks.js';
import { syslogSink } from './alert/syslog-sink.js';
import type { AnalyzerConfig } from './config.js';
import { createBatchHandler } from './consume.js';
import { Detector } from './detect.js';
import { startExpectedRefresh } from './expected-refresh.js';
import { registerAnalyzerMetrics } from './metrics.js';
import { recordFirstStart } from './learning.js';
import { statusConsumer, statusGroupOf } from './status-consumer.js';
import { Coalescer } from './store/coalescer.js';
import { foldExisting } from './store/fold.js';
import { RecentWindows } from './recent-windows.js';
import { IngestOffsets } from './store/ingest-offsets.js';
import { migrate } from './store/migrate.js';
import { forEachState } from './store/queries.js';
import { partitioner } from './partitions.js';
import { EndpointTable } from './state/endpoint-table.js';
import { Store } from './store/store.js';
import { dropOldPartitions, flaggedHosts, insertRows, newServiceAlertsSince } from './store/writes.js';

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
  await untilReady('clickhouse', logger, () => foldExisting(store, logger));
  logger.info({ database: cfg.clickhouse.database, version: await store.version(), added: changes }, 'schema ready');

  const firstStart = await recordFirstStart(store);
  const p = cfg.policy;
  const learningUntil = firstStart + p.learningPeriodMs;
  // a limit of 0: no first-start limit (alert on everything)
  const guardUntil = p.firstStartLimit > 0 ? firstStart + p.firstStartWindowMs : 0;
  if (learningUntil > Date.now())
    logger.info({ remainingMs: learningUntil - Date.now() }, 'learning period: building the baseline, no alerts yet');
  if (guardUntil > Date.now())
    logger.info(
      { limit: p.firstStartLimit, until: new Date(guardUntil).toISOString() },
      'first-start limit in effect: alerts on at most policy.firstStartLimit new services until then, past that baseline',
    );
  const detector = new Detector(p, {
    learningUntil,
    firstStart,
    guardUntil,
    guardLimit: p.firstStartLimit,
    guardCount: guardUntil > Date.now() ? await newServiceAlertsSince(store, firstStart) : 0,
  });
  // expected services: the config file's plus those stored with `porthole expect`, re-read while running
  const expected = startExpectedRefresh({
    store,
    detector,
    configRules: p.expected,
    intervalMs: p.rulesRefreshMs,
    logger: logger.child({ component: 'expected' }),
  });
  await expected.refresh();

  // what this analyzer holds: the endpoints of its assigned partitions only
  const held = { partitions: [] as number[] };
  let partitionCount = 0;
  let ready: Promise<void> = Promise.resolve();
  const loadHeld = async (assigned: Set<number>): Promise<void> => {
    const t0 = Date.now();
    const partitionOf = partitioner(cfg.kafka.observationsTopic, partitionCount);
    const table = new EndpointTable();
    const read = await forEachState(store, (row) => {
      if (assigned.has(partitionOf(row.ip))) table.put(row);
    });
    detector.replace(table, await flaggedHosts(store));
    logger.info({ endpoints: table.size, read, partitions: held.partitions, ms: Date.now() - t0 }, 'states loaded');
  };

  const kafka = kafkaClient(cfg.kafka, 'patient');
  const admin = kafka.admin();
  await untilReady(
    'kafka',
    logger,
    async () => {
      await admin.connect();
      await ensureTopics(admin, [
        topicSpec(cfg.kafka.deadLetterTopic, TOPICS.deadLetters, cfg.kafka.replication),
        topicSpec(cfg.kafka.alertsTopic, TOPICS.alerts, cfg.kafka.replication),
        topicSpec(cfg.kafka.observationsTopic, TOPICS.observations, cfg.kafka.replication),
        topicSpec(cfg.kafka.statusTopic, TOPICS.sensorStatus, cfg.kafka.replication),
      ]);
      const meta = await admin.fetchTopicMetadata({ topics: [cfg.kafka.observationsTopic] });
      partitionCount = meta.topics[0].partitions.length;
      await admin.disconnect();
    },
    kafkaRetriable,
  ).catch(async (err) => {
    // not retriable (authentication or a certificate refused): release what runs, say why, exit
    expected.stop();
    await store.close();
    throw kafkaSecurityFailure(err, cfg.kafka) ?? err;
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const version = portholeVersion();
  const a = cfg.alerts;
  const sinks: Sink[] = [
    kafkaSink(producer, cfg.kafka.alertsTopic, version),
    ...a.syslog.map((t) => syslogSink(t, { ca: a.syslogCa, version, hostname: hostname() })),
    ...a.webhooks.map((u) => webhookSink(u, false, undefined, a.webhookSecret)),
    ...a.slackWebhooks.map((u) => webhookSink(u, true)),
    ...a.ownerWebhooks.map((s) =>
      webhookSink(s.url, false, s.team, a.ownerWebhookSecrets.get(s.team) ?? a.webhookSecret),
    ),
    ...a.ownerSlackWebhooks.map((s) => webhookSink(s.url, true, s.team)),
  ];
  const outbox = createOutbox(
    store,
    sinks,
    { ratePerMinute: cfg.alerts.ratePerMinute, digestAbove: cfg.alerts.digestAbove, pageSize: 5000 },
    logger.child({ component: 'alerts' }),
  );
  const consumer = kafka.consumer({
    groupId: cfg.kafka.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    maxBytesPerPartition: 4 << 20,
    maxBytes: 16 << 20,
  });
  const offsets = new IngestOffsets(store);
  // a sensor resends a batch within its retry delay; a few minutes and a million keys cover it
  const recent = new RecentWindows(5 * 60_000, 1_000_000);
  const registry = new Registry();
  const metrics = registerAnalyzerMetrics(registry, () => handler.stats);
  metrics.followLag(consumer);
  const handler = createBatchHandler({
    consumer,
    producer,
    detector,
    offsets,
    recent,
    inserts: new Coalescer(
      metrics.timed((t, rows) => store.insertJson(t, rows)),
      { maxRows: cfg.batchSize, lingerMs: 200 },
    ),
    homeNetworks: cfg.policy.homeNetworks,
    scannerAddresses: cfg.policy.scannerAddresses,
    deadLetterTopic: cfg.kafka.deadLetterTopic,
    logger: logger.child({ component: 'consume' }),
    onAlerts: () => void outbox.round(),
    ready: () => ready,
  });
  // On every (re)join, the states of the partitions now assigned are loaded before any batch is
  // applied (batches wait for `ready`), and those of partitions given up are dropped.
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const assigned = e.payload.memberAssignment[cfg.kafka.observationsTopic] ?? [];
    logger.info({ assignment: e.payload.memberAssignment }, 'joined consumer group');
    held.partitions = [...assigned].sort((a, b) => a - b);
    offsets.forget(); // another member may have stored more of these partitions meanwhile
    ready = untilReady('clickhouse', logger, () => loadHeld(new Set(assigned))).catch((err) =>
      logger.error({ err: errorMessage(err) }, 'state load failed'),
    );
  });
  const served = cfg.metricsListen && (await serveMetrics(registry, cfg.metricsListen, logger));
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
  const sensorStatus = statusConsumer({
    kafka,
    store,
    topic: cfg.kafka.statusTopic,
    groupId: statusGroupOf(cfg.kafka.groupId),
    logger: logger.child({ component: 'sensor-status' }),
  });
  await sensorStatus.start();

  const status = () => ({
    ...handler.stats,
    endpointsHeld: detector.size,
    recentWindowsHeld: recent.held,
    partitionsHeld: held.partitions,
    firstStartBaseline: detector.baselineTripped,
    outbox: outbox.stats(),
    sensorStatus: sensorStatus.stats,
  });
  const partitionOf = partitioner(cfg.kafka.observationsTopic, partitionCount);
  const timers = [
    setInterval(() => void outbox.round(), 2000),
    setInterval(
      () => {
        const stale = detector.sweepStale(Date.now(), partitionOf);
        // the exposure of a stale endpoint ended: its open alerts are resolved once its state is stored
        if (stale.states.length)
          void insertRows(store, 'exposure_events', stale.exposures)
            .then(() => insertRows(store, 'endpoint_states', stale.states))
            .then(
              () =>
                resolveEndpointAlerts(store, stale.states, 'exposure ended: stale').catch((err) =>
                  logger.warn({ err: errorMessage(err) }, 'alerts of stale endpoints not resolved'),
                ),
              (err) => logger.warn({ err: errorMessage(err) }, 'stale sweep not stored'),
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
    setInterval(() => logger.info({ stats: status() }, 'analyzer status'), 10_000),
  ];
  void outbox.round();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  logger.info('stopping');
  timers.forEach(clearInterval);
  expected.stop();
  // a consumer stuck reconnecting is left behind: what it handled since its last commit is
  // consumed again by the next analyzer (inserts are idempotent per batch)
  if ((await within(consumer.disconnect(), KAFKA_STOP_WAIT_MS)) === 'timeout')
    logger.warn({ waitedMs: KAFKA_STOP_WAIT_MS }, 'kafka consumer did not stop; going on without it');
  await sensorStatus.stop();
  await outbox.round();
  if ((await within(producer.disconnect(), KAFKA_STOP_WAIT_MS)) === 'timeout')
    logger.warn({ waitedMs: KAFKA_STOP_WAIT_MS }, 'kafka producer did not stop; going on without it');
  await store.close();
  await served?.close();
  logger.info({ stats: status() }, 'analyzer stopped');
  return 0;
}
