// What the sweeper's tests and benchmark share: a sweeper's environment (nmap in the lab's scanner
// namespace, verify.allowedNetworks the lab's, its own sweep topics and consumer group, whose
// names are pushed to `topics` for the caller to delete), and reading sweeps back through
// `porthole sweeps`.

import { randomBytes } from 'node:crypto';
import { sleep } from '../../common/time.js';
import type { AnalyzerEnv } from './analyzer-env.js';
import { randomTopic } from './kafka.js';
import { porthole } from './porthole.js';

export interface SweepScope {
  allowed: string; // verify.allowedNetworks
  nmapCommand: string; // verify.nmapCommand, comma-separated
}

/** A sweeper's environment on `env`'s database and brokers; `extra` overrides any key. */
export function sweepEnv(
  env: AnalyzerEnv,
  scope: SweepScope,
  topics: string[],
  extra: Record<string, string> = {},
): Record<string, string> {
  const topic = randomTopic('sweep');
  topics.push(topic, `${topic}.status`);
  return {
    ...env.env,
    PORTHOLE_VERIFY_ALLOWED_NETWORKS: scope.allowed,
    PORTHOLE_VERIFY_NMAP_COMMAND: scope.nmapCommand,
    PORTHOLE_KAFKA_SWEEP_TOPIC: topic,
    PORTHOLE_KAFKA_SWEEP_STATUS_TOPIC: `${topic}.status`,
    PORTHOLE_KAFKA_SWEEPER_GROUP_ID: `porthole-test-sweeper-${randomBytes(4).toString('hex')}`,
    PORTHOLE_SWEEP_PERIOD: '1h',
    PORTHOLE_SWEEP_HOST_TIMEOUT: '20s',
    PORTHOLE_SWEEP_SLOW_HOST_TIMEOUT: '40s',
    PORTHOLE_SWEEP_MIN_HOST_GROUP: '1',
    PORTHOLE_LOG_FORMAT: 'json',
    ...extra,
  };
}

/** `porthole sweeps [args] --json`, one object a line. */
export function sweeps(db: string, args: string[] = []): Array<Record<string, unknown>> {
  const r = porthole(['sweeps', ...args, '--json', '--database', db]);
  if (r.status !== 0) throw new Error(`sweeps failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The newest sweep once it is done; throws after `ms`. */
export async function sweepDone(db: string, ms: number): Promise<Record<string, unknown>> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(1000)) {
    const [s] = sweeps(db);
    if (s?.state === 'done') return s;
  }
  throw new Error(`no sweep done within ${ms} ms: ${JSON.stringify(sweeps(db))}`);
}

/** Each endpoint of one sweep ("ip:port") and its class (dormant, both, passive_only). */
export function sweepClasses(db: string, sweepId: string): Record<string, string> {
  const [shown] = sweeps(db, ['show', sweepId]);
  return Object.fromEntries(
    (shown.endpoints as Array<{ ip: string; port: number; class: string }>).map((e) => [`${e.ip}:${e.port}`, e.class]),
  );
}
