// `porthole verifier`: actively verifies every newly exposed (or reopened) endpoint with
// nmap -sV. Fed by the alerts topic (its own consumer group), so it runs apart from the analyzer:
// it needs nmap and, for SYN scans, root, which the analyzer does not. Each request is stored as
// `pending` before its offset is committed, and pending ones are reloaded at start, so
// verifications survive restarts. Results (one row per endpoint and attempt) go to the
// verifications table; a changed product/version raises a service_changed alert, which the
// analyzer's outbox delivers like any other.

import { execFile } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { AnalyzerConfig } from '../config.js';
import { inAny } from '../policy.js';
import { Store } from '../store/clickhouse-store.js';
import { nmapArgs } from './nmap-args.js';
import { type NmapResult, parseNmapXml, type PortResult } from './nmap-xml.js';
import { createScheduler, type Endpoint } from './scheduler.js';

export type VerifyStatus =
  | 'pending'
  | 'verified_open'
  | 'filtered_to_scanner'
  | 'closed_now'
  | 'unverifiable'
  | 'refused';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function statusOf(p: PortResult | undefined): VerifyStatus {
  if (!p) return 'unverifiable';
  if (p.state === 'open') return 'verified_open';
  if (p.state === 'filtered') return 'filtered_to_scanner';
  if (p.state === 'closed') return 'closed_now';
  return 'unverifiable';
}

function runNmap(cmd: string[], args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd[0],
      [...cmd.slice(1), ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`nmap failed: ${err.message.split('\n')[0]} ${String(stderr).trim().split('\n')[0] ?? ''}`));
        else resolve(stdout);
      },
    );
  });
}

export async function runVerifier(cfg: AnalyzerConfig, logger: Logger): Promise<number> {
  const v = cfg.verify;
  const store = new Store(cfg.clickhouse);
  await store.migrate();
  if (v.allowed.length === 0) logger.warn('verify.allowedNetworks is empty: every verification will be refused');
  const scan = v.scanType === 'auto' ? (process.getuid?.() === 0 ? 'syn' : 'connect') : v.scanType;

  // what was verified when, and with which product/version
  const lastVerified = new Map<string, number>();
  const lastProduct = new Map<string, string>();
  for (const [k, r] of await store.latestVerifications(undefined, true)) {
    lastVerified.set(k, r.ts);
    if (r.status === 'verified_open') lastProduct.set(k, `${r.product} ${r.version}`.trim());
  }

  const record = async (rows: object[]): Promise<void> => store.insert('verifications', rows);

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
      return { result: null, error: (err as Error).message };
    }
  }

  async function scanHost(ip: string, ports: number[]): Promise<void> {
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
      const status = ok ? statusOf(p) : 'unverifiable';
      return {
        day: day(now),
        ip,
        proto: 'tcp',
        port,
        ts: now,
        status,
        nmap_state: p?.state ?? '',
        reason: p?.reason || error,
        service: p?.service ?? '',
        product: p?.product ?? '',
        version: p?.version ?? '',
        extrainfo: p?.extrainfo ?? '',
        cpe: (p?.cpe ?? []).join(' '),
        duration_ms: now - started,
        attempt,
      };
    });
    await record(rows);
    const changes = [];
    for (const r of rows) {
      const k = `${ip}|tcp|${r.port}`;
      lastVerified.set(k, now);
      if (r.status !== 'verified_open') continue;
      const pv = `${r.product} ${r.version}`.trim();
      const before = lastProduct.get(k);
      if (before !== undefined && pv && before !== pv) {
        changes.push({
          day: day(now),
          alert_id: `service_changed|${k}|${now}`,
          ts: now,
          kind: 'service_changed',
          severity: 'medium',
          ip,
          proto: 'tcp',
          port: r.port,
          message: `${ip.includes(':') ? `[${ip}]` : ip}:${r.port}/tcp changed from "${before}" to "${pv}"`,
          details: JSON.stringify({ before, after: pv, cpe: r.cpe }),
        });
      }
      if (pv) lastProduct.set(k, pv);
    }
    await store.insert('alerts', changes);
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
      scanHost(ip, ports).catch((err) => logger.error({ ip, err: (err as Error).message }, 'verification failed')),
    refuse: async (e: Endpoint, why: string) => {
      logger.warn({ ip: e.ip, port: e.port, why }, 'verification refused');
      const now = Date.now();
      await record([
        {
          day: day(now),
          ip: e.ip,
          proto: e.proto,
          port: e.port,
          ts: now,
          status: 'refused',
          nmap_state: '',
          reason: why,
          service: '',
          product: '',
          version: '',
          extrainfo: '',
          cpe: '',
          duration_ms: 0,
          attempt: 0,
        },
      ]);
    },
  });

  // pending verifications from before a restart
  const pending = await store.pendingVerifications();
  for (const p of pending) await scheduler.request(p);
  if (pending.length) logger.info({ pending: pending.length }, 'resumed pending verifications');

  const kafka = new Kafka({
    clientId: `${cfg.kafka.clientId}-verifier`,
    brokers: cfg.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  // the analyzer creates the alerts topic too; whichever starts first does
  const admin = kafka.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(cfg.kafka.alertsTopic)) {
    await admin
      .createTopics({ waitForLeaders: true, topics: [{ topic: cfg.kafka.alertsTopic, numPartitions: 1 }] })
      .catch(() => {});
  }
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: v.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: cfg.kafka.alertsTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      let a: { kind?: string; ip?: string; proto?: string; port?: number };
      try {
        a = JSON.parse(String(message.value));
      } catch {
        return;
      }
      if ((a.kind !== 'new_service' && a.kind !== 'reopened_service') || !a.ip || !a.port) return;
      const e = { ip: a.ip, proto: a.proto ?? 'tcp', port: a.port };
      const now = Date.now();
      const k = `${e.ip}|${e.proto}|${e.port}`;
      const recent = lastVerified.get(k);
      if (inAny(e.ip, v.allowed) && (recent === undefined || now - recent >= v.minIntervalMs)) {
        await record([
          {
            day: day(now),
            ...e,
            ts: now,
            status: 'pending',
            nmap_state: '',
            reason: a.kind,
            service: '',
            product: '',
            version: '',
            extrainfo: '',
            cpe: '',
            duration_ms: 0,
            attempt: 0,
          },
        ]);
      }
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
