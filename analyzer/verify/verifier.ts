// `porthole verifier`: actively verifies every newly exposed (or reopened) endpoint with
// nmap -sV. Fed by the alerts topic (its own consumer group), so it runs apart from the analyzer:
// it needs nmap and, for SYN scans, root, which the analyzer does not. Each request is stored as
// `pending` before its offset is committed, and pending ones are reloaded at start, so
// verifications survive restarts. Results (one row per endpoint and attempt) go to the
// verifications table; a port closed when verified resolves its endpoint's open alerts; a changed
// product/version raises a service_changed alert, which the analyzer's outbox delivers like any other.

import type { Logger } from 'pino';
import { errorMessage } from '../../common/errors.js';
import { ensureTopics, kafkaClient, topicSpec } from '../../common/kafka.js';
import { rethrowKafkaFailure } from '../../common/kafka-failure.js';
import { type EndpointId, endpointKey } from '../../schemas/endpoint.js';
import type { VerificationRow } from '../../schemas/tables.js';
import { TOPICS } from '../../schemas/topics.js';
import { resolveEndpointAlerts } from '../alert/lifecycle.js';
import type { AnalyzerConfig } from '../config.js';
import { AnalyzerError } from '../errors.js';
import { inAny } from '../policy.js';
import { owned, serviceChangedAlert } from '../rules.js';
import { migrate } from '../store/migrate.js';
import { latestVerifications } from '../store/queries.js';
import { Store } from '../store/store.js';
import { insertRows, pendingVerifications } from '../store/writes.js';
import { nmapArgs } from './nmap-args.js';
import { runNmap } from './nmap-run.js';
import { type NmapResult, parseNmapXml, type PortResult } from './nmap-xml.js';
import { statusOf, verificationRow } from './results.js';
import { createScheduler } from './scheduler.js';

export async function runVerifier(cfg: AnalyzerConfig, logger: Logger): Promise<number> {
  const v = cfg.verify;
  const store = new Store(cfg.clickhouse);
  await migrate(store);
  if (v.allowed.length === 0) logger.warn('verify.allowedNetworks is empty: every verification will be refused');
  const scan = v.scanType === 'auto' ? (process.getuid?.() === 0 ? 'syn' : 'connect') : v.scanType;

  // what was verified when, and with which product/version
  const lastVerified = new Map<string, number>();
  const lastProduct = new Map<string, string>();
  for (const [k, r] of await latestVerifications(store, undefined, true)) {
    lastVerified.set(k, r.ts);
    if (r.status === 'verified_open') lastProduct.set(k, `${r.product} ${r.version}`.trim());
  }

  const record = (rows: VerificationRow[]): Promise<void> => insertRows(store, 'verifications', rows);

  async function nmapOnce(
    ip: string,
    ports: number[],
    timeout: number,
    attempt: number,
  ): Promise<{ result: NmapResult | null; error: string }> {
    const args = nmapArgs({
      ip,
      ports,
      scan,
      hostTimeoutMs: timeout,
      versionIntensity: v.versionIntensity,
      maxRetries: v.maxRetries,
    });
    logger.info({ ip, ports, attempt, cmd: [...v.nmapCommand, ...args].join(' ') }, 'verifying');
    try {
      const result = parseNmapXml(await runNmap(v.nmapCommand, args, timeout + 30_000));
      return { result, error: result.timedOut ? `host timeout (${timeout} ms)` : '' };
    } catch (err) {
      return { result: null, error: errorMessage(err) };
    }
  }

  async function scanHost(ip: string, ports: number[]): Promise<void> {
    // the scheduler refuses these before they get here; nmap is never pointed outside the scope
    if (!inAny(ip, v.allowed))
      throw new AnalyzerError('OUT_OF_SCOPE', `${ip} is outside verify.allowedNetworks: not scanned`);
    const started = Date.now();
    // one run for all of the host's new ports; when the host times out (a port that accepts and
    // stays silent holds -sV), each port is retried apart with the longer slow-host timeout
    const first = await nmapOnce(ip, ports, v.hostTimeoutMs, 1);
    const outcome = new Map<number, { p: PortResult | undefined; ok: boolean; error: string; attempt: number }>();
    if (first.result && !first.result.timedOut) {
      for (const port of ports)
        outcome.set(port, { p: first.result.ports.find((x) => x.port === port), ok: true, error: '', attempt: 1 });
    } else {
      for (const port of ports) {
        const again = await nmapOnce(ip, [port], v.slowHostTimeoutMs, 2);
        const ok = !!again.result && !again.result.timedOut;
        outcome.set(port, {
          p: again.result?.ports.find((x) => x.port === port),
          ok,
          error: again.error || first.error,
          attempt: 2,
        });
      }
    }
    const now = Date.now();
    const rows = ports.map((port) => {
      const { p, ok, error, attempt } = outcome.get(port)!;
      return verificationRow({ ip, proto: 'tcp', port }, now, ok ? statusOf(p) : 'unverifiable', p?.reason || error, {
        p,
        durationMs: now - started,
        attempt,
      });
    });
    await record(rows);
    const closed = rows.filter((r) => r.status === 'closed_now');
    if (closed.length) {
      // the exposure ended when nmap found the port closed
      await insertRows(
        store,
        'exposure_events',
        closed.map((r) => ({ ip: r.ip, proto: r.proto, port: r.port, ts: r.ts, event: 'close', reason: 'closed_now' })),
      ).catch((err) => logger.warn({ ip, err: errorMessage(err) }, 'end of exposure not stored'));
      await resolveEndpointAlerts(store, closed, 'closed_now (nmap)', now).catch((err) =>
        logger.warn({ ip, err: errorMessage(err) }, 'alerts of closed ports not resolved'),
      );
    }
    const changes = [];
    for (const r of rows) {
      const k = endpointKey(r);
      lastVerified.set(k, now);
      if (r.status !== 'verified_open') continue;
      const pv = `${r.product} ${r.version}`.trim();
      const before = lastProduct.get(k);
      if (before !== undefined && pv && before !== pv)
        changes.push(owned(serviceChangedAlert(r, { before, after: pv, cpe: r.cpe }, now), cfg.policy.owners));
      if (pv) lastProduct.set(k, pv);
    }
    await insertRows(store, 'alerts', changes);
    logger.info(
      {
        ip,
        results: rows.map((r) => `${r.port}:${r.status}${r.product ? ` ${r.product} ${r.version}`.trimEnd() : ''}`),
      },
      'verified',
    );
  }

  const scheduler = createScheduler({
    allowed: v.allowed,
    minIntervalMs: v.minIntervalMs,
    concurrency: v.concurrency,
    maxRunsPerMinute: v.maxRunsPerMinute,
    batchDelayMs: v.batchDelayMs,
    lastVerified,
    scan: (ip, ports) =>
      scanHost(ip, ports).catch((err) => logger.error({ ip, err: errorMessage(err) }, 'verification failed')),
    refuse: async (e: EndpointId, why: string) => {
      logger.warn({ ip: e.ip, port: e.port, why }, 'verification refused');
      await record([verificationRow(e, Date.now(), 'refused', why)]);
    },
  });

  // pending verifications from before a restart
  const pending = await pendingVerifications(store);
  for (const p of pending) await scheduler.request(p);
  if (pending.length) logger.info({ pending: pending.length }, 'resumed pending verifications');

  const conn = { brokers: cfg.kafka.brokers, clientId: `${cfg.kafka.clientId}-verifier`, security: cfg.kafka.security };
  const kafka = kafkaClient(conn, 'default');
  // the analyzer creates the alerts topic too; whichever starts first does (a failure here
  // shows at subscribe)
  const admin = kafka.admin();
  await admin.connect().catch(rethrowKafkaFailure(conn)); // authentication or a certificate refused: one line
  await ensureTopics(admin, [topicSpec(cfg.kafka.alertsTopic, TOPICS.alerts)]).catch(() => []);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: v.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: cfg.kafka.alertsTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      // an ECS document (alert/ecs.ts): Porthole's own fields are under `porthole`
      let a: { kind?: string; ip?: string; proto?: string; port?: number };
      try {
        a = (JSON.parse(String(message.value)) as { porthole?: typeof a }).porthole ?? {};
      } catch {
        return;
      }
      if ((a.kind !== 'new_service' && a.kind !== 'reopened_service') || !a.ip || !a.port) return;
      const e = { ip: a.ip, proto: a.proto ?? 'tcp', port: a.port };
      const now = Date.now();
      const recent = lastVerified.get(endpointKey(e));
      if (inAny(e.ip, v.allowed) && (recent === undefined || now - recent >= v.minIntervalMs))
        await record([verificationRow(e, now, 'pending', a.kind)]);
      const r = await scheduler.request(e);
      logger.debug({ ...e, request: r }, 'verification requested');
    },
  });
  logger.info({ allowed: v.allowed.map((c) => c.text), scan, concurrency: v.concurrency }, 'verifier running');
  const status = setInterval(() => logger.info({ stats: scheduler.stats() }, 'verifier status'), 10_000);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  clearInterval(status);
  scheduler.stop();
  await consumer.disconnect();
  await store.close();
  return 0;
}
