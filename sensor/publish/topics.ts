// Creates the sensor's topics when missing, with explicit partitions and retention; leaves
// existing topics as they are.

import type { Admin } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
  retentionMs: number;
}

export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((s) => ({
      topic: s.topic,
      numPartitions: s.partitions,
      replicationFactor: -1, // the broker's default
      configEntries: [{ name: 'retention.ms', value: String(s.retentionMs) }],
    })),
  });
  return missing.map((s) => s.topic);
}
