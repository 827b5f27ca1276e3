// Which Kafka partition holds an endpoint: sensors key every Observation by its server address and
// publish with kafkajs's default (Java-compatible murmur2) partitioner, so the partition of an
// address is a pure function of the address and the topic's partition count. An analyzer uses it
// to hold only the endpoints of the partitions assigned to it.
// Limit: a producer with another partitioner (or a topic whose partition count changed after the
// data was written) breaks the mapping; the analyzer then holds the endpoints its assignment maps
// to, and an endpoint it does not hold is treated as unknown (its alert id is deterministic, so a
// repeat collapses in the alerts table and is not delivered twice).

import { type PartitionMetadata, Partitioners } from 'kafkajs';

export type PartitionOf = (ip: string) => number;

/** The partition function of a topic with `count` partitions. */
export function partitioner(topic: string, count: number): PartitionOf {
  const pick = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: count }, (_, i) => ({
    partitionErrorCode: 0,
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return (ip) => pick({ topic, partitionMetadata, message: { key: ip, value: null } });
}
