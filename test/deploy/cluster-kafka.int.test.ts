// Porthole on the local three-broker Kafka cluster (deploy/local.sh up --cluster kafka):
// - the topics Porthole creates carry kafka.replicationFactor and kafka.minInsyncReplicas
//   (read back through the admin API);
// - a sensor streaming into the cluster while one broker is SIGKILLed, then started again,
//   loses nothing: the topic holds exactly what `porthole replay` finds in the same capture;
// - two analyzers in one group, one SIGKILLed mid-stream: the other takes its partitions over
//   and the stored inventory equals the truth, and what a lone analyzer stores from the same
//   topic (nothing lost, nothing counted twice).
// Brings the cluster's Kafka up when it is down and stops afterwards only the nodes it started.
// Storage is the shared single ClickHouse (random databases).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import type { Observation } from '../../schemas/observation.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { dropDb } from '../support/clickhouse.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { randomTopic } from '../support/kafka.js';
import {
  CLUSTER_BROKERS,
  clusterKafka,
  deleteClusterTopics,
  ensureClusterKafka,
  type KafkaNode,
  killNode,
  NODES,
} from '../support/kafka-cluster.js';
import { inventoryOf, observation, sendRetrying, truthOf } from '../support/observations.js';
import { replayJson } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { conversation, ipOf, type Seg } from '../support/scenarios.js';

const run = promisify(execFile);
const BROKERS = CLUSTER_BROKERS.join(',');
const REPLICATED = { PORTHOLE_KAFKA_REPLICATION_FACTOR: '3', PORTHOLE_KAFKA_MIN_INSYNC_REPLICAS: '2' };
const WINDOW_MS = 5000;

const dir = mkdtempSync(join(tmpdir(), 'porthole-cluster-kafka-'));
const procs: PortholeProc[] = [];
const topics: string[] = [];
const dbs: string[] = [];
let restore: (() => void) | null = null;

beforeAll(() => {
  restore = ensureClusterKafka();
}, 150_000);

afterAll(async () => {
  for (const p of procs.splice(0)) await p.stop('SIGKILL');
  try {
    if (restore) await deleteClusterTopics(topics); // while the nodes this file started still run
  } finally {
    try {
      restore?.(); // also starts again a node a failed test left killed
    } finally {
      for (const db of dbs) await dropDb(db);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}, 150_000);

/** An analyzer setup on the cluster; its topics and database are removed afterwards. */
function clusterEnv(extra: Record<string, string> = {}): AnalyzerEnv {
  const e = analyzerEnv({ PORTHOLE_KAFKA_BROKERS: BROKERS, ...extra });
  topics.push(e.obsTopic, e.dlqTopic, e.alertsTopic, e.verifyRequestsTopic, e.statusTopic);
  dbs.push(e.db);
  return e;
}

/** Replicas of each partition and the topic-level min.insync.replicas of each topic. */
async function replication(
  admin: Admin,
  names: string[],
): Promise<Record<string, { replicas: number[]; minInsync: string | null }>> {
  const meta = await admin.fetchTopicMetadata({ topics: names });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] })),
  });
  const out: Record<string, { replicas: number[]; minInsync: string | null }> = {};
  for (const t of meta.topics) {
    const r = configs.resources.find((x) => x.resourceName === t.name);
    const entry = r?.configEntries.find((c) => c.configName === 'min.insync.replicas');
    out[t.name] = {
      replicas: t.partitions.map((p) => p.replicas.length),
      // set on the topic itself, not inherited from the broker
      minInsync: entry && !entry.isDefault && entry.configSource === 1 ? entry.configValue : null,
    };
  }
  return out;
}

async function withAdmin<T>(f: (a: Admin) => Promise<T>): Promise<T> {
  const admin = clusterKafka().admin();
  await admin.connect();
  try {
    return await f(admin);
  } finally {
    await admin.disconnect();
  }
}

/** A capture of `windows` windows, one chunk of pcap records each (the first with the file header). */
function capture(t0: number, windows: number, endpoints: number): Buffer[] {
  let cport = 10_000;
  return Array.from({ length: windows }, (_, w) => {
    const segs: Seg[] = [];
    for (let e = 0; e < endpoints; e++) {
      for (let h = 0; h < 1 + ((e + w) % 3); h++) {
        const client = `198.51.100.${1 + ((e + h) % 50)}`;
        const server = `192.0.2.${1 + (e % 20)}`;
        segs.push(
          ...conversation(client, server, cport++, 8000 + e, t0 + w * WINDOW_MS + 100 + e * 40 + h * 7, 'open'),
        );
        if (cport > 60_000) cport = 10_000;
      }
    }
    segs.sort((a, b) => a.ts - b.ts);
    const file = pcapFile(
      segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
      { linktype: 1 },
    );
    return w === 0 ? file : file.subarray(24);
  });
}

/** Every message of `topic`, from the beginning, until `done` (asked of each) or the timeout. */
async function readAll(topic: string, done: (o: Observation) => boolean, timeoutMs: number): Promise<Observation[]> {
  const consumer = clusterKafka().consumer({ groupId: `porthole-test-${randomBytes(4).toString('hex')}` });
  const got: Observation[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const o = JSON.parse(String(message.value)) as Observation;
          got.push(o);
          if (done(o)) {
            clearTimeout(t);
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

const byWindow = (obs: Array<Pick<Observation, 'ip' | 'port' | 'window_start' | 'handshakes'>>) =>
  Object.fromEntries(obs.map((o) => [`${o.ip}|${o.port}|${o.window_start}`, o.handshakes]).sort());

describe('Porthole on a three-broker Kafka cluster', () => {
  it('topics it creates get kafka.replicationFactor and kafka.minInsyncReplicas', async () => {
    const e = clusterEnv({ PORTHOLE_KAFKA_REPLICATION_FACTOR: '2', PORTHOLE_KAFKA_MIN_INSYNC_REPLICAS: '1' });
    const a = startPorthole(['analyzer'], e.env);
    procs.push(a);
    await a.waitFor((l) => l.msg === 'joined consumer group', 60_000);
    await a.stop();
    const got = await withAdmin((admin) => replication(admin, [e.obsTopic, e.dlqTopic, e.alertsTopic, e.statusTopic]));
    for (const t of [e.obsTopic, e.dlqTopic, e.alertsTopic, e.statusTopic]) {
      expect(
        got[t].replicas.every((n) => n === 2),
        `${t}: ${got[t].replicas}`,
      ).toBe(true);
      expect(got[t].minInsync, t).toBe('1');
    }
    expect(got[e.obsTopic].replicas).toHaveLength(6);
  }, 90_000);

  it('a sensor streaming while one broker is SIGKILLed and started again loses nothing', async () => {
    const obsTopic = randomTopic('cluster-obs');
    topics.push(obsTopic, `${obsTopic}.status`);
    const t0 = Math.floor((Date.now() - 3_600_000) / WINDOW_MS) * WINDOW_MS;
    const chunks = capture(t0, 24, 40);
    const file = join(dir, 'stream.pcap');
    writeFileSync(file, Buffer.concat(chunks));
    const truth = byWindow(replayJson([file], ['--window', '5s']) as unknown as Observation[]);

    const sensor = startPorthole(
      ['sensor', '--pcap', '-', '--window', '5s', '--sensor-id', 'cluster', '--brokers', BROKERS],
      { PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: obsTopic, PORTHOLE_KAFKA_STATUS_TOPIC: `${obsTopic}.status`, ...REPLICATED },
      undefined,
      [],
      'pipe',
    );
    procs.push(sensor);
    await sensor.waitFor((l) => l.msg === 'created topics', 30_000);
    // the broker killed leads a partition the sensor writes to (node N is broker id N)
    const leaders = await withAdmin(async (admin) =>
      (await admin.fetchTopicMetadata({ topics: [obsTopic] })).topics[0].partitions.map((p) => p.leader),
    );
    const victim = leaders[0] as KafkaNode;
    expect(NODES).toContain(victim);
    let restarted: Promise<unknown> | null = null;
    for (const [i, c] of chunks.entries()) {
      if (i === 6) killNode(victim);
      if (i === 14)
        restarted = run('bash', ['deploy/local.sh', 'up', '--cluster', `kafka-${victim}`], { timeout: 120_000 });
      sensor.child.stdin!.write(c);
      await sleep(400);
    }
    sensor.child.stdin!.end();
    const stopped = await sensor.waitFor((l) => l.msg === 'sensor stopped', 90_000);
    for (let i = 0; i < 60 && sensor.child.exitCode === null; i++) await sleep(500);
    expect(sensor.child.exitCode).toBe(0);
    await restarted;
    // the node started again catches up: every partition has its three replicas in sync again
    const inSync = () =>
      withAdmin(async (admin) =>
        (await admin.fetchTopicMetadata({ topics: [obsTopic] })).topics[0].partitions.map((p) => p.isr.length),
      );
    for (let i = 0; i < 60 && (await inSync()).some((n) => n < 3); i++) await sleep(500);
    expect(await inSync()).toEqual([3, 3, 3, 3, 3, 3]);

    const replicas = await withAdmin((admin) => replication(admin, [obsTopic, `${obsTopic}.status`]));
    expect(replicas[obsTopic]).toEqual({ replicas: [3, 3, 3, 3, 3, 3], minInsync: '2' });
    expect(replicas[`${obsTopic}.status`]).toEqual({ replicas: [3], minInsync: '2' });

    // every Observation the sensor made reached the topic, none dropped on the way, and they are
    // exactly the capture's (a batch whose acknowledgement was lost may be there twice: the
    // analyzer deduplicates it, docs/operations.md#kafka-outages)
    expect([stopped.observations, stopped.dropped_before_kafka]).toEqual([Object.keys(truth).length, 0]);
    const keys = new Set<string>();
    const got = await readAll(
      obsTopic,
      (o) => keys.add(`${o.ip}|${o.port}|${o.window_start}`).size >= Object.keys(truth).length,
      60_000,
    );
    expect(byWindow(got)).toEqual(truth);
  }, 180_000);

  it('two analyzers in one group, one SIGKILLed mid-stream: the other takes over, nothing lost or counted twice', async () => {
    const group = clusterEnv(REPLICATED);
    // a lone analyzer reading the same topic into its own database: what one analyzer stores
    const lone = clusterEnv({ ...REPLICATED, PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: group.obsTopic });
    const start = async (e: AnalyzerEnv): Promise<PortholeProc> => {
      const p = startPorthole(['analyzer'], e.env);
      procs.push(p);
      await p.waitFor((l) => l.msg === 'joined consumer group', 60_000);
      return p;
    };
    const held = (p: PortholeProc): number[] => {
      const joins = p.logs.filter((l) => l.msg === 'joined consumer group');
      const last = joins[joins.length - 1]?.assignment as Record<string, number[]> | undefined;
      return last?.[group.obsTopic] ?? [];
    };
    const a1 = await start(group);
    const a2 = await start(group);
    await start(lone);
    // both members hold partitions of the six, none twice
    const split = () => [held(a1).length > 0 && held(a2).length > 0, [...held(a1), ...held(a2)].sort()];
    const even = JSON.stringify([true, [0, 1, 2, 3, 4, 5]]);
    for (let i = 0; i < 60 && JSON.stringify(split()) !== even; i++) await sleep(500);
    expect(JSON.stringify(split())).toBe(even);

    const base = Math.floor((Date.now() - 600_000) / WINDOW_MS) * WINDOW_MS;
    const obs: Observation[] = [];
    for (let w = 0; w < 15; w++)
      for (let e = 0; e < 40; e++)
        obs.push(
          observation({
            ip: `192.0.2.${1 + (e % 20)}`,
            port: 8000 + e,
            window_start: base + w * WINDOW_MS,
            handshakes: 1 + ((e + w) % 4),
            clients: 1 + (e % 3),
          }),
        );
    const producer = clusterKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const deadline = Date.now() + 120_000;
    try {
      for (let i = 0; i < obs.length; i += 20) {
        if (i === 200) await a2.stop('SIGKILL');
        const chunk = obs.slice(i, i + 20).map((o) => ({ key: o.ip, value: JSON.stringify(o) }));
        await sendRetrying(producer, group.obsTopic, chunk, deadline);
        await sleep(250);
      }
    } finally {
      await producer.disconnect();
    }
    // the survivor is given every partition once the group sees the other gone
    for (let i = 0; i < 120 && held(a1).length < 6; i++) await sleep(500);
    expect(held(a1)).toEqual([0, 1, 2, 3, 4, 5]);

    const truth = JSON.stringify([...truthOf(obs)].sort());
    const inv = (e: AnalyzerEnv) => JSON.stringify([...inventoryOf(e.services())].sort());
    for (let i = 0; i < 60 && (inv(group) !== truth || inv(lone) !== truth); i++) await sleep(1000);
    expect(Object.fromEntries(inventoryOf(group.services()))).toEqual(Object.fromEntries(truthOf(obs)));
    expect(inv(lone)).toBe(truth);
  }, 210_000);
});
