// Kafka stopped and restarted under a running sensor: Observations made during the outage
// arrive afterwards while the queue held them; what overflowed the queue is counted exactly in
// the health messages (published distinct + dropped = produced). Restarts the shared local
// Kafka, so integration test files run one at a time (vitest.config.ts).

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, deleteTopics, randomTopic, readTopic } from '../support/kafka.js';
import { CONNECT_CLIENT, createMirrorLab, type MirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../support/netns.js';
import { type PortholeProc, startSensor } from '../support/porthole-process.js';

const local = (...args: string[]): string =>
  execFileSync('bash', ['deploy/local.sh', ...args], { encoding: 'utf8', timeout: 120_000 });
const ports = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => String(from + i));

let lab: MirrorLab;
let sensor: PortholeProc | null = null;
const obsTopic = randomTopic('obs');
const statusTopic = randomTopic('status');
const QUEUE = 8;

beforeAll(() => {
  lab = createMirrorLab();
});

afterAll(async () => {
  await sensor?.stop();
  lab?.cleanup();
  local('up', 'kafka'); // whatever happened, leave Kafka running
  await deleteTopics([obsTopic, statusTopic]);
});

type Status = Record<string, number>;
const lastStatus = (s: PortholeProc): Status | undefined =>
  [...s.logs].reverse().find((l) => l.msg === 'sensor status')?.status as Status | undefined;

describe('Kafka outage under a running sensor', () => {
  it('buffers up to the limit, then counts every drop exactly', async () => {
    const server = lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, ...ports(10001, 23)]);
    await new Promise<void>((r) => server.stdout!.once('data', () => r()));
    sensor = startSensor(['--iface', lab.monitor, '--window', '1s', '--status-interval', '1s'], {
      PORTHOLE_KAFKA_BROKERS: BROKERS.join(','),
      PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: obsTopic,
      PORTHOLE_KAFKA_STATUS_TOPIC: statusTopic,
      PORTHOLE_PUBLISH_QUEUE_LIMIT: String(QUEUE),
    });
    await sensor.waitFor(
      (l) =>
        (l.status as Status | undefined)?.kafka_connected === 1 ||
        (l.status as { kafka_connected?: boolean } | undefined)?.kafka_connected === true,
      30_000,
    );

    // before: 3 endpoints, delivered
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, ...ports(10001, 3)]);
    await readTopic(obsTopic, (m) => m.length >= 3, 20_000);

    // outage: 20 new endpoints while Kafka is down; the queue holds 8
    local('down', 'kafka');
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, ...ports(10004, 20)]);
    await sensor.waitFor(
      () => (lastStatus(sensor!)?.observations ?? 0) >= 23 && (lastStatus(sensor!)?.dropped_before_kafka ?? 0) > 0,
      20_000,
    );
    const during = lastStatus(sensor)!;
    expect(during.kafka_connected).toBe(false);
    expect(during.dropped_before_kafka).toBe(20 - QUEUE);
    expect(during.queue_depth).toBeGreaterThanOrEqual(QUEUE);

    // after: Kafka back, the buffered 8 arrive; nothing is lost beyond what was counted
    local('up', 'kafka');
    await sensor.waitFor(
      () =>
        lastStatus(sensor!)?.kafka_connected === (true as unknown as number) && lastStatus(sensor!)?.queue_depth === 0,
      60_000,
    );
    const msgs = (await readTopic(
      obsTopic,
      (m) => new Set((m as Array<{ port: number }>).map((x) => x.port)).size >= 3 + QUEUE,
      30_000,
    )) as Array<Record<string, unknown>>;
    const distinct = new Set(msgs.map((m) => `${m.ip}|${m.port}|${m.window_start}`));
    const final = lastStatus(sensor)!;
    expect(final.observations).toBe(23);
    expect(final.dropped_before_kafka).toBe(20 - QUEUE);
    expect(distinct.size + final.dropped_before_kafka).toBe(final.observations);
    expect(new Set(msgs.map((m) => m.port)).size).toBe(3 + QUEUE);
    expect(await sensor.stop()).toBe(0);
    sensor = null;
  });
});
