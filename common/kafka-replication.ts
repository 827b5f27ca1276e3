// How many copies of each topic Porthole creates the brokers keep, and how many of them must
// hold a write before it counts: the kafka.replicationFactor and kafka.minInsyncReplicas keys
// (declared once here, listed in each process's spec), checked at start-up. -1 leaves either
// to the broker (default.replication.factor, min.insync.replicas), which is what a single
// broker needs. Topics that exist are never changed; producers write with acks=all, so a write
// is acknowledged only once min.insync.replicas copies hold it.

import type { KeySpec } from '../schemas/config-spec.js';

/** Kafka's own bound on a replication factor (an int16 in the protocol). */
const MAX_REPLICAS = 32_767;

export const KAFKA_REPLICATION_SPEC: KeySpec[] = [
  {
    key: 'kafka.replicationFactor',
    kind: { t: 'int', min: -1, max: MAX_REPLICAS },
    def: -1,
    doc: "replicas of each topic Porthole creates (3 on a three-broker cluster); -1: the broker's default.replication.factor",
  },
  {
    key: 'kafka.minInsyncReplicas',
    kind: { t: 'int', min: -1, max: MAX_REPLICAS },
    def: -1,
    doc: "min.insync.replicas of each topic Porthole creates (2 with 3 replicas: one broker may be down); -1: the broker's default",
  },
];

/** -1: the broker's default. */
export interface TopicReplication {
  factor: number;
  minInsync: number;
}

export const BROKER_DEFAULT_REPLICATION: TopicReplication = Object.freeze({ factor: -1, minInsync: -1 });

/** The two keys of a resolved config; problems are added to `errors`. */
export function kafkaReplicationConfig(g: <T>(key: string) => T, errors: string[]): TopicReplication {
  const factor = g<number>('kafka.replicationFactor');
  const minInsync = g<number>('kafka.minInsyncReplicas');
  if (factor === 0) errors.push('kafka.replicationFactor: at least 1, or -1 for the broker default');
  if (minInsync === 0) errors.push('kafka.minInsyncReplicas: at least 1, or -1 for the broker default');
  if (factor > 0 && minInsync > factor)
    errors.push(
      `kafka.minInsyncReplicas: ${minInsync} is more than kafka.replicationFactor (${factor}): no write could be acknowledged`,
    );
  return Object.freeze({ factor, minInsync });
}
