// What the soak reads back at the end, through the project's own command and tables: the
// inventory (`porthole services --json`), the stored alerts (the alerts table, collapsed and
// raw), the alerts delivered on Kafka (ECS documents by id), and the analyzer group's lag.

import { randomBytes } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { porthole } from '../../test/support/porthole.js';

export interface InventoryRow {
  ip: string;
  port: number;
  state: string;
  verification: { status: string } | null;
}

export function inventory(url: string, db: string): InventoryRow[] {
  const r = porthole(['services', '--json', '--clickhouse', url, '--database', db]);
  if (r.status !== 0) throw new Error(`porthole services failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as InventoryRow);
}

export async function sql<T>(url: string, query: string): Promise<T[]> {
  const c = createClient({ url });
  try {
    return (await (await c.query({ query, format: 'JSONEachRow' })).json()) as T[];
  } finally {
    await c.close();
  }
}

export interface AlertRow {
  alert_id: string;
  kind: string;
  ip: string;
  port: number;
  /** rows stored under this id before collapsing */
  copies: number;
}

export function storedAlerts(url: string, db: string): Promise<AlertRow[]> {
  return sql<AlertRow>(
    url,
    `SELECT alert_id, any(kind) AS kind, any(ip) AS ip, any(port) AS port, toUInt32(count()) AS copies FROM ${db}.alerts GROUP BY alert_id`,
  );
}

const kafka = (brokers: string[]): Kafka =>
  new Kafka({ clientId: 'porthole-chaos', brokers, logLevel: logLevel.NOTHING });

/** Every message of `topic` as alert id → deliveries (the ECS document's event.id). */
export async function deliveredAlerts(brokers: string[], topic: string): Promise<Map<string, number>> {
  const k = kafka(brokers);
  const admin = k.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const want = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const got = new Map<string, number>();
  const consumer = k.consumer({ groupId: `porthole-chaos-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const left = new Set([...want].filter(([, high]) => high > 0).map(([p]) => p));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      if (left.size === 0) resolve();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const id = String((JSON.parse(message.value!.toString()) as { event?: { id?: string } }).event?.id);
          got.set(id, (got.get(id) ?? 0) + 1);
          if (Number(message.offset) + 1 >= want.get(partition)!) left.delete(partition);
          if (left.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/** Messages of `topic` not yet committed by `group` (summed over partitions). */
export async function groupLag(brokers: string[], group: string, topic: string): Promise<number> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    let lag = 0;
    for (const e of ends) {
      const c = committed.partitions.find((p) => p.partition === e.partition);
      const at = c && Number(c.offset) >= 0 ? Number(c.offset) : 0;
      lag += Number(e.high) - at;
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
