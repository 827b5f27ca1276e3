// The parts `porthole up` runs and how: each a `porthole` command as a child process with the
// config files given to up, logging JSON lines for up to merge. The order they stop in: the
// sensor first (it flushes its open window and queue to Kafka while the rest still run), then
// the analyzer, the verifier and the console. Each gets as long to stop as its own stop needs
// (the sensor's publish.flushTimeout, the Kafka clients' stop waits) before it is killed.

import { KAFKA_STOP_WAIT_MS } from '../common/kafka.js';
import type { ChildSpec } from './supervisor.js';

export const STOP_ORDER = ['sensor', 'analyzer', 'verifier', 'console'] as const;
export type PartName = (typeof STOP_ORDER)[number];

export interface PartsOptions {
  /** how to run `porthole`: node and bin/porthole.js */
  porthole: string[];
  /** the sensor's config file */
  sensorConfig: string | null;
  /** the analyzer's config file (the console reads it too) */
  config: string | null;
  /** the verifier's config file (default: the analyzer's) */
  verifierConfig: string | null;
  /** --database for the analyzer, verifier and console */
  database: string | null;
  /** variables for every part (the demo's) */
  env?: Record<string, string>;
}

/** What the sensor reads: interfaces, a capture file, or (neither) what its config names (sFlow). */
export interface SensorSource {
  ifaces: readonly string[];
  pcap: string | null;
}

const JSON_LOGS = { PORTHOLE_LOG_FORMAT: 'json' };

function spec(o: PartsOptions, name: PartName, args: string[], stopTimeoutMs: number, oneShot = false): ChildSpec {
  return {
    name,
    command: [...o.porthole, name, ...args],
    env: { ...o.env, ...JSON_LOGS },
    stopTimeoutMs,
    oneShot,
  };
}

const file = (flag: string, path: string | null): string[] => (path ? [flag, path] : []);
const db = (o: PartsOptions): string[] => file('--database', o.database);

export function analyzerPart(o: PartsOptions): ChildSpec {
  // its stop waits for the consumer and the producer in turn, and delivers the outbox between
  return spec(o, 'analyzer', [...file('--config', o.config), ...db(o)], 3 * KAFKA_STOP_WAIT_MS);
}

export function verifierPart(o: PartsOptions): ChildSpec {
  return spec(o, 'verifier', [...file('--config', o.verifierConfig ?? o.config), ...db(o)], 2 * KAFKA_STOP_WAIT_MS);
}

export function consolePart(o: PartsOptions): ChildSpec {
  return spec(o, 'console', [...file('--config', o.config), ...db(o)], KAFKA_STOP_WAIT_MS);
}

/**
 * The sensor on `src`: a capture file is read once (the part is then done), interfaces run until
 * stopped. `flushTimeoutMs`: its publish.flushTimeout, which its stop may take.
 */
export function sensorPart(o: PartsOptions, src: SensorSource, flushTimeoutMs: number): ChildSpec {
  // an empty --iface unsets interfaces the sensor's config file names, for a capture file
  const input = src.pcap
    ? ['--iface', '', '--pcap', src.pcap]
    : src.ifaces.length
      ? ['--iface', src.ifaces.join(',')]
      : [];
  return spec(
    o,
    'sensor',
    [...file('--config', o.sensorConfig), ...input],
    flushTimeoutMs + KAFKA_STOP_WAIT_MS,
    src.pcap !== null,
  );
}
