// Porthole's Kafka topics, each written once: its default name, how many partitions and how long
// a retention it gets when a Porthole process creates it (existing topics are left as they are).
// Observations are keyed by server address, so every partition holds whole endpoints; the other
// topics are small and ordered, one partition each, but the sweep blocks (spread over sweepers).

import { DAY_MS } from '../common/time.js';

export interface TopicDefault {
  name: string;
  partitions: number;
  /** retention when created, ms; null: the broker's default */
  retentionMs: number | null;
}

export const TOPICS = {
  observations: { name: 'porthole.observations', partitions: 6, retentionMs: 7 * DAY_MS },
  sensorStatus: { name: 'porthole.sensor-status', partitions: 1, retentionMs: DAY_MS },
  deadLetters: { name: 'porthole.observations.dlq', partitions: 1, retentionMs: null },
  alerts: { name: 'porthole.alerts', partitions: 1, retentionMs: null },
  verifyRequests: { name: 'porthole.verify-requests', partitions: 1, retentionMs: DAY_MS },
  // work items: several sweepers in one group each take some partitions' blocks
  sweepBlocks: { name: 'porthole.sweep-blocks', partitions: 6, retentionMs: 7 * DAY_MS },
  sweepStatus: { name: 'porthole.sweep-status', partitions: 1, retentionMs: DAY_MS },
} as const satisfies Record<string, TopicDefault>;
