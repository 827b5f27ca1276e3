// The analyzer's sensor-status consumer with the real Kafka and ClickHouse: statuses published on
// the status topic land in sensor_status; bad messages (not JSON, another version, a missing
// counter, too large) are skipped and counted without stalling the topic; a second consumer that
// reads the whole topic again (a crash before the commit) adds no row.

import { pino } from 'pino';
import { sensorStatus } from '../support/sensor-status.js';
import { afterAll, describe, expect, it } from 'vitest';
import { statusConsumer, statusMessageRow } from '../../analyzer/status-consumer.js';
import { latestSensorStatus, sensorHistory } from '../../analyzer/store/sensor-status.js';
import { migrate } from '../../analyzer/store/migrate.js';
import { Store } from '../../analyzer/store/store.js';
import { kafkaClient } from '../../common/kafka.js';
import { sleep } from '../../common/time.js';
import { CH_URL, dropDb, randomDb } from '../support/clickhouse.js';
import { BROKERS, deleteTopics, randomTopic } from '../support/kafka.js';

const db = randomDb();
const topic = randomTopic('status');
const store = new Store({ url: CH_URL, user: 'default', password: null, database: db });

afterAll(async () => {
  await store.close();
  await dropDb(db);
  await deleteTopics([topic]);
});

function status(ts: number, packets: number): Record<string, unknown> {
  return sensorStatus({
    sensor: 'span-01',
    ts,
    packets,
    uptime_s: 5,
    failures: { truncated: 2 },
    handshakes: 1,
  }) as unknown as Record<string, unknown>;
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(200);
  }
}

describe('sensor status consumer', () => {
  it('says why a message is refused', () => {
    const reason = (v: string | null) => {
      const r = statusMessageRow(v === null ? null : Buffer.from(v));
      return 'reason' in r ? r.reason : 'ok';
    };
    expect(reason(JSON.stringify(status(1000, 1)))).toBe('ok');
    expect(reason(null)).toBe('empty');
    expect(reason('{')).toMatch(/^not JSON/);
    expect(reason(JSON.stringify({ ...status(1000, 1), v: 2 }))).toMatch(/^v: must be 1/);
    expect(reason(JSON.stringify({ ...status(1000, 1), packets: -1 }))).toBe('packets: a count');
    expect(reason(JSON.stringify({ ...status(1000, 1), capture_state: 'gone' }))).toMatch(/^capture_state/);
    expect(reason(JSON.stringify({ ...status(1000, 1), sensor: '' }))).toMatch(/^sensor/);
    expect(reason('x'.repeat(70_000))).toMatch(/^too large/);
  });

  it('stores statuses, skips bad messages, adds nothing when read again', async () => {
    await migrate(store);
    const kafka = kafkaClient({ brokers: BROKERS, clientId: 'porthole-test' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const t0 = Date.now() - 60_000;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'span-01', value: JSON.stringify(status(t0, 10)) },
        { key: 'span-01', value: 'not json' },
        { key: 'span-01', value: JSON.stringify({ ...status(t0 + 5000, 1), v: 9 }) },
        { key: 'span-01', value: JSON.stringify(status(t0 + 10_000, 20)) },
        { key: 'span-01', value: JSON.stringify(status(t0 + 10_000, 20)) }, // a resend
        { key: 'span-01', value: JSON.stringify(status(t0 + 20_000, 30)) },
      ],
    });
    await producer.disconnect();

    const log = pino({ level: 'silent' });
    const rows = async () =>
      Number((await store.select<{ n: string }>('n', `SELECT count() AS n FROM ${db}.sensor_status FINAL`))[0].n);
    const first = statusConsumer({ kafka, store, topic, groupId: `${topic}-a`, logger: log });
    await first.start();
    try {
      await until(async () => first.stats.stored + first.stats.skipped === 6, 30_000);
    } finally {
      await first.stop();
    }
    expect(first.stats).toEqual({ stored: 4, skipped: 2 });
    expect(await rows()).toBe(3);
    expect((await latestSensorStatus(store)).map((s) => [s.sensor, s.ts, s.packets, s.failures])).toEqual([
      ['span-01', t0 + 20_000, 30, 2],
    ]);
    expect((await sensorHistory(store, 'span-01', t0, 2000)).map((p) => p.packets)).toEqual([10, 20, 30]);

    // the whole topic again (as after a crash before the commit): the same rows
    const again = statusConsumer({ kafka, store, topic, groupId: `${topic}-b`, logger: log });
    await again.start();
    try {
      await until(async () => again.stats.stored + again.stats.skipped === 6, 30_000);
    } finally {
      await again.stop();
    }
    expect(await rows()).toBe(3);
  });
});
