// The one way Porthole processes connect to Kafka and create their topics. kafkajs retries a
// request a few times itself and then throws a non-retriable wrapper around the last retriable
// failure; `kafkaRetriable` looks through such wrappers, so a broker that is down stays
// "retry later" for the caller's own retry loop (common/retry.ts), while a refusal (bad topic
// config, authorisation) does not. A security failure (SASL authentication refused, a broker's
// certificate not trusted or not naming the host) is never retriable (common/kafka-failure.ts
// makes it one line naming the broker and the key to check).

import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { TopicDefault } from '../schemas/topics.js';
import type { TopicReplication } from './kafka-replication.js';
import { kafkaSecurityFailure } from './kafka-failure.js';
import { type KafkaSecurity, kafkajsSecurity, NO_KAFKA_SECURITY } from './kafka-security.js';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** TLS and SASL (kafka.tls.*, kafka.sasl.*); absent: plaintext */
  security?: KafkaSecurity;
}

/**
 * How long a stopping process waits for a Kafka client's disconnect before going on without it
 * (kafkajs ignores a disconnect while it reconnects to a broker that is away).
 */
export const KAFKA_STOP_WAIT_MS = 15_000;

/** Retry and timeout settings of a client: `quick` for a sensor that must not wait long. */
export type KafkaProfile = 'default' | 'quick' | 'patient';

const PROFILES: Record<KafkaProfile, Partial<KafkaConfig>> = {
  default: {},
  quick: {
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
  },
  patient: { retry: { retries: 8, maxRetryTime: 5000 } },
};

export function kafkaClient(c: KafkaConnection, profile: KafkaProfile = 'default'): Kafka {
  return new Kafka({
    clientId: c.clientId,
    brokers: c.brokers,
    logLevel: logLevel.NOTHING,
    ...PROFILES[profile],
    ...kafkajsSecurity(c.security ?? NO_KAFKA_SECURITY),
  });
}

/** Whether a kafkajs failure may pass by retrying later (it or an error it wraps says so). */
export function kafkaRetriable(err: unknown): boolean {
  if (kafkaSecurityFailure(err, { brokers: [] })) return false;
  for (
    let e = err as { retriable?: unknown; cause?: unknown; name?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (
      e.retriable === true ||
      e.name === 'KafkaJSNumberOfRetriesExceeded' ||
      e.name === 'KafkaJSGroupCoordinatorNotFound'
    )
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  retentionMs: number | null;
  /** kafka.replicationFactor and kafka.minInsyncReplicas (common/kafka-replication.ts) */
  replication: TopicReplication;
}

/**
 * A topic spec from its defaults (schemas/topics.ts), under the name the config gives it, with
 * the config's replication.
 */
export function topicSpec(
  name: string,
  d: TopicDefault,
  replication: TopicReplication,
  over: { partitions?: number; retentionMs?: number } = {},
): TopicSpec {
  return {
    topic: name,
    partitions: over.partitions ?? d.partitions,
    retentionMs: over.retentionMs ?? d.retentionMs,
    replication,
  };
}

/** The topic configs a spec sets; what it leaves out is the broker's default. */
function configEntries(s: TopicSpec): { name: string; value: string }[] {
  return [
    ...(s.retentionMs === null ? [] : [{ name: 'retention.ms', value: String(s.retentionMs) }]),
    ...(s.replication.minInsync === -1
      ? []
      : [{ name: 'min.insync.replicas', value: String(s.replication.minInsync) }]),
  ];
}

/**
 * Create the topics that are missing, with their partitions, retention and replication; existing
 * topics are left as they are, and a topic another process created meanwhile counts as existing.
 * A replication factor above the number of brokers is refused by the broker (not retriable).
 * Returns the names created.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replication.factor, // -1: the broker's default
        configEntries: configEntries(s),
      })),
    });
  } catch (err) {
    const now = new Set(await admin.listTopics());
    if (!missing.every((s) => now.has(s.topic))) throw err;
  }
  return missing.map((s) => s.topic);
}
