// `porthole verifier`: actively verifies every newly exposed (or reopened, or dormant) endpoint
// with nmap -sV, and every endpoint asked for with `porthole verify` (requests.ts). Fed by the alerts
// and verify-requests topics (its own consumer group), so it runs apart from the analyzer: it
// needs nmap and, for SYN scans, root, which the analyzer does not. Each request is stored as
// `pending` before its offset is committed, and pending ones are resumed at start, as are
// endpoints refused earlier that verify.allowedNetworks now covers. On SIGTERM/SIGINT it kills
// running nmap processes (their endpoints stay pending), commits what it consumed and stops.
// Its Prometheus metrics are served at verify.metricsListen.

import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { ConfigError, errorMessage } from '../../common/errors.js';
import { ensureTopics, KAFKA_STOP_WAIT_MS, kafkaClient, topicSpec } from '../../common/kafka.js';
import { rethrowKafkaFailure } from '../../common/kafka-failure.js';
import { serveMetrics } from '../../common/metrics.js';
import { within } from '../../common/time.js';
import { type EndpointId, endpointKey } from '../../schemas/endpoint.js';
import type { VerificationRow } from '../../schemas/tables.js';
import { TOPICS } from '../../schemas/topics.js';
import type { AnalyzerConfig } from '../config.js';
import { AnalyzerError } from '../errors.js';
import { inAny } from '../policy.js';
import { migrate } from '../store/migrate.js';
import { Store } from '../store/store.js';
import { verifierMemory } from '../store/verification-queries.js';
import { insertRows } from '../store/writes.js';
import { scanFor, thisProcessMayRawScan } from './privilege.js';
import { parseRequest } from './requests.js';
import { verificationRow } from './results.js';
import { registerVerifierMetrics } from './metrics.js';
import { hostScanner } from './scan-host.js';
import { createScheduler, type RequestOptions } from './scheduler.js';

/** The alerts whose endpoint is verified: newly exposed, reopened, and dormant ones a sweep found (-sV says what they run). */
const VERIFIED_KINDS = new Set(['new_service', 'reopened_service', 'dormant_exposure']);

export async function runVerifier(cfg: AnalyzerConfig, logger: Logger): Promise<number> {
  const v = cfg.verify;
  const raw = thisProcessMayRawScan();
  // nmap would refuse every SYN scan: refused here, once, rather than as each verdict
  if (v.scanType === 'syn' && !v.sourceAddresses.length && !raw)
    throw new ConfigError(
      'verify.scanType syn: nmap may not send raw packets from this process (not root, or CAP_NET_RAW without NMAP_PRIVILEGED=1 as deploy/systemd/porthole-verifier.service sets); use auto or connect, or give it the privilege',
    );
  const store = new Store(cfg.clickhouse);
  await migrate(store);
  if (v.allowed.length === 0) logger.warn('verify.allowedNetworks is empty: every verification will be refused');
  // from source addresses: a connect scan (nmap-args.ts says why)
  const scan = scanFor(v.scanType, v.sourceAddresses.length > 0, raw);

  // when each endpoint was last scanned (refusals are no scans), and the product last seen open
  const memory = await verifierMemory(store);
  const lastVerified = new Map<string, number>();
  const lastProduct = new Map<string, string>();
  for (const [k, m] of memory) {
    if (m.lastScan) lastVerified.set(k, m.lastScan);
    if (m.product) lastProduct.set(k, m.product);
  }

  // verdicts stored, by status (for the status line and the metrics)
  const verdicts: Record<string, number> = {};
  const record = async (rows: VerificationRow[]): Promise<void> => {
    await insertRows(store, 'verifications', rows);
    for (const r of rows) if (r.status !== 'pending') verdicts[r.status] = (verdicts[r.status] ?? 0) + 1;
  };
  const registry = new Registry();
  const nmapRan = registerVerifierMetrics(registry, () => {
    const q = scheduler.stats();
    return { verdicts, queued: q.queued, running: q.running };
  });
  const stopping = new AbortController();
  const scanHost = hostScanner({
    cfg,
    store,
    logger,
    scan,
    lastVerified,
    lastProduct,
    signal: stopping.signal,
    record,
    nmapRan,
  });
  const scheduler = createScheduler({
    allowed: v.allowed,
    minIntervalMs: v.minIntervalMs,
    concurrency: v.concurrency,
    maxRunsPerMinute: v.maxRunsPerMinute,
    batchDelayMs: v.batchDelayMs,
    lastVerified,
    scan: (ip, ports) =>
      scanHost(ip, ports).catch((err) => {
        if (err instanceof AnalyzerError && err.code === 'ABORTED')
          logger.info({ ip, ports }, 'verification interrupted: stays pending');
        else logger.error({ ip, err: errorMessage(err) }, 'verification failed');
      }),
    refuse: async (e: EndpointId, why: string, request: string) => {
      logger.warn({ ip: e.ip, port: e.port, why, ...(request ? { request } : {}) }, 'verification refused');
      await record([verificationRow(e, Date.now(), 'refused', why, undefined, request)]);
    },
  });

  /** Ask for a verification: stored as pending first (it survives a restart) when it will run. */
  async function ask(e: EndpointId, reason: string, opts: RequestOptions = {}) {
    const recent = lastVerified.get(endpointKey(e));
    const now = Date.now();
    if (inAny(e.ip, v.allowed) && (opts.force || recent === undefined || now - recent >= v.minIntervalMs))
      await record([verificationRow(e, now, 'pending', reason, undefined, opts.request ?? '')]);
    return scheduler.request(e, opts);
  }

  // pending verifications from before a restart (taken then: no minimum interval again), and
  // endpoints refused for scope that verify.allowedNetworks now covers
  let resumed = 0;
  let requeued = 0;
  for (const [k, m] of memory) {
    const [ip, proto, port] = k.split('|');
    const e = { ip, proto, port: Number(port) };
    if (m.latest === 'pending') {
      await scheduler.request(e, { force: true });
      resumed++;
    } else if (m.lastStatus === 'refused' && inAny(ip, v.allowed)) {
      if ((await ask(e, 'in verify.allowedNetworks now')) === 'queued') requeued++;
    }
  }
  if (resumed) logger.info({ pending: resumed }, 'resumed pending verifications');
  if (requeued) logger.info({ endpoints: requeued }, 'refused before, in verify.allowedNetworks now: re-queued');

  const served = v.metricsListen && (await serveMetrics(registry, v.metricsListen, logger, 'verify.metricsListen'));
  const conn = { brokers: cfg.kafka.brokers, clientId: `${cfg.kafka.clientId}-verifier`, security: cfg.kafka.security };
  const kafka = kafkaClient(conn, 'default');
  const topics = { alerts: cfg.kafka.alertsTopic, requests: cfg.kafka.verifyRequestsTopic };
  // the analyzer (alerts) and porthole verify (requests) create these too; whichever starts first
  // does (a failure here shows at subscribe)
  const admin = kafka.admin();
  await admin.connect().catch(rethrowKafkaFailure(conn)); // authentication or a certificate refused: one line
  await ensureTopics(admin, [
    topicSpec(topics.alerts, TOPICS.alerts, cfg.kafka.replication),
    topicSpec(topics.requests, TOPICS.verifyRequests, cfg.kafka.replication),
  ]).catch(() => []);
  await admin.disconnect();
  // a short fetch wait: stopping waits for the fetch in flight
  const consumer = kafka.consumer({ groupId: v.groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.alerts, topics.requests], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === topics.requests) {
        const r = parseRequest(String(message.value));
        if (!r) return logger.warn({ offset: message.offset }, 'not a verification request: skipped');
        const outcome = await ask(r, `requested by ${r.by || 'unknown'}`, { force: true, request: r.request });
        logger.info({ ip: r.ip, port: r.port, request: r.request, by: r.by, outcome }, 'verification requested');
        return;
      }
      // an ECS document (alert/ecs.ts): Porthole's own fields are under `porthole`
      let a: { kind?: string; ip?: string; proto?: string; port?: number };
      try {
        a = (JSON.parse(String(message.value)) as { porthole?: typeof a }).porthole ?? {};
      } catch {
        return;
      }
      if (!VERIFIED_KINDS.has(a.kind ?? '') || !a.ip || !a.port) return;
      const e = { ip: a.ip, proto: a.proto ?? 'tcp', port: a.port };
      logger.debug({ ...e, request: await ask(e, String(a.kind)) }, 'verification requested');
    },
  });
  logger.info(
    { allowed: v.allowed.map((c) => c.text), scan, sources: v.sourceAddresses, concurrency: v.concurrency },
    'verifier running',
  );
  const stats = () => ({ ...scheduler.stats(), verdicts });
  const status = setInterval(() => logger.info({ stats: stats() }, 'verifier status'), 10_000);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal, stats: stats() }, 'verifier stopping');
  clearInterval(status);
  const idle = scheduler.stop();
  stopping.abort(); // kills running nmap processes: their endpoints stay pending
  // commits the offsets of the messages handled; a consumer stuck reconnecting is left behind
  // (what it handled since its last commit is delivered again, to the next verifier)
  if ((await within(consumer.disconnect(), KAFKA_STOP_WAIT_MS)) === 'timeout')
    logger.warn({ waitedMs: KAFKA_STOP_WAIT_MS }, 'kafka consumer did not stop; going on without it');
  await idle;
  await store.close();
  await served?.close();
  logger.info({ stats: stats() }, 'verifier stopped');
  return 0;
}
