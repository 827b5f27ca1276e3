// Test helpers for the real local Kafka: random topic names, reading a topic from the
// beginning until a condition holds (the alerts topic's documents as their Porthole fields),
// deleting topics afterwards.

import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export const BROKERS = [`127.0.0.1:${process.env.PORTHOLE_KAFKA_PORT ?? '9092'}`];

export function kafkaClient(): Kafka {
  return new Kafka({ clientId: 'porthole-test', brokers: BROKERS, logLevel: logLevel.NOTHING });
}

export function randomTopic(what: string): string {
  return `porthole.test.${what}.${randomBytes(4).toString('hex')}`;
}

/** Read all messages of `topic` from the beginning until `done(messages)` or the timeout. */
export async function readTopic(
  topic: string,
  done: (msgs: unknown[]) => boolean,
  timeoutMs: number,
): Promise<unknown[]> {
  const got = await readTopicMeta(topic, (m) => done(m.map((x) => x.value)), timeoutMs);
  return got.map((x) => x.value);
}

/** As readTopic, with each message's Kafka timestamp (ms). */
export async function readTopicMeta(
  topic: string,
  done: (msgs: Array<{ value: unknown; timestamp: number }>) => boolean,
  timeoutMs: number,
): Promise<Array<{ value: unknown; timestamp: number }>> {
  const kafka = kafkaClient();
  const consumer = kafka.consumer({ groupId: `porthole-test-${randomBytes(4).toString('hex')}` });
  const msgs: Array<{ value: unknown; timestamp: number }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          msgs.push({ value: JSON.parse(message.value!.toString()), timestamp: Number(message.timestamp) });
          if (done(msgs)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return msgs;
}

/** As readTopic for the alerts topic: each ECS document's Porthole fields (its `porthole` object). */
export async function readAlerts(
  topic: string,
  done: (alerts: unknown[]) => boolean,
  timeoutMs: number,
): Promise<unknown[]> {
  const porthole = (m: unknown[]): unknown[] => m.map((x) => (x as { porthole: unknown }).porthole);
  return porthole(await readTopic(topic, (m) => done(porthole(m)), timeoutMs));
}

/** Deletes the topics that exist (on the local broker, or on `kafka`'s brokers). */
export async function deleteTopics(topics: string[], kafka: Kafka = kafkaClient()): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length) await admin.deleteTopics({ topics: gone });
  } finally {
    await admin.disconnect();
  }
}
