// Issue 17's proof, on the local cluster (deploy/local.sh up --cluster: three Kafka KRaft nodes,
// ZooKeeper, ClickHouse 2 shards x 2 replicas): a capture replayed in real time onto a veth,
// captured there by two sensors (redundant mirrors of one link), into the three-broker Kafka
// (topics with replication 3, min.insync 2), consumed by two analyzers in one group (each
// talking to a different ClickHouse server), stored in cluster mode. Mid-stream one Kafka broker
// is SIGKILLed, then one ClickHouse replica, then one analyzer; the broker comes back during the
// traffic, the replica after it. Then: the inventory equals `porthole replay` of the same
// capture (each handshake counted once across the two sensors), each endpoint has exactly one
// alert, and the replica that was down holds the same rows as its peer. The parts of the
// cluster this file started are stopped at the end; topics, groups and the database go too.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import { randomDb } from '../support/clickhouse.js';
import {
  CLUSTER,
  ensureClusterClickHouse,
  nodeCommand,
  nodeQuery,
  nodeUrl,
  until,
} from '../support/clickhouse-cluster.js';
import {
  CLUSTER_BROKERS,
  clusterCmd,
  deleteClusterTopics,
  ensureClusterKafka,
  killNode,
} from '../support/kafka-cluster.js';
import { porthole } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { conversation, ethWrap, pcapOf, type Seg } from '../support/scenarios.js';

const HOME =
  process.env.PORTHOLE_CLUSTER_HOME ?? join(process.env.PORTHOLE_HOME ?? join(homedir(), '.porthole'), 'cluster');
const tag = randomBytes(3).toString('hex');
const db = randomDb();
const obsTopic = `porthole-cluster-${tag}`;
const topics = ['obs', 'status', 'dlq', 'alerts', 'verify'].map((t) => `${obsTopic}-${t}`);
const [OBS, STATUS, DLQ, ALERTS, VERIFY] = topics;
const group = `porthole-cluster-${tag}`;
const A = `phc${tag}a`;
const B = `phc${tag}b`;
const dir = mkdtempSync(join(tmpdir(), 'porthole-cluster-'));
const pcap = join(dir, 'traffic.pcap');

// 40 endpoints (10 servers x 4 ports), endpoint e first seen e seconds in, then every ~5 s:
// new services appear before, during and after each fault
const SERVERS = Array.from({ length: 10 }, (_, i) => `192.0.2.${20 + i}`);
const PORTS = [22, 80, 443, 8080];
const SECONDS = 45;

function traffic(): Seg[] {
  const segs: Seg[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  let cport = 20000;
  for (const [si, s] of SERVERS.entries())
    for (const [pi, p] of PORTS.entries()) {
      const e = si * PORTS.length + pi;
      for (let t = e * 1000; t < SECONDS * 1000; t += 4000 + ((e * 137) % 2000))
        segs.push(...conversation(`198.51.100.${1 + (e % 50)}`, s, cport++, p, t0 + t, 'open'));
    }
  return segs.sort((x, y) => x.ts - y.ts);
}

const procs: PortholeProc[] = [];
const stops: Array<() => void> = [];

const env = (extra: Record<string, string>) => ({
  PORTHOLE_KAFKA_BROKERS: CLUSTER_BROKERS.join(','),
  PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: OBS,
  PORTHOLE_KAFKA_STATUS_TOPIC: STATUS,
  PORTHOLE_KAFKA_REPLICATION_FACTOR: '3',
  PORTHOLE_KAFKA_MIN_INSYNC_REPLICAS: '2',
  ...extra,
});

function analyzer(n: number): PortholeProc {
  const p = startPorthole(
    ['analyzer'],
    env({
      PORTHOLE_CLICKHOUSE_URL: nodeUrl(n),
      PORTHOLE_CLICKHOUSE_CLUSTER: CLUSTER,
      PORTHOLE_CLICKHOUSE_DATABASE: db,
      PORTHOLE_KAFKA_DEAD_LETTER_TOPIC: DLQ,
      PORTHOLE_KAFKA_ALERTS_TOPIC: ALERTS,
      PORTHOLE_KAFKA_VERIFY_REQUESTS_TOPIC: VERIFY,
      PORTHOLE_KAFKA_GROUP_ID: group,
      PORTHOLE_POLICY_HOME_NETWORKS: '192.0.2.0/24',
    }),
  );
  procs.push(p);
  return p;
}

const sh = (cmd: string[]) => execFileSync(cmd[0], cmd.slice(1), { stdio: 'pipe' });
const pidOf = (part: string) => Number(readFileSync(join(HOME, part, 'clickhouse.pid'), 'utf8').trim());

beforeAll(() => {
  stops.push(ensureClusterKafka());
  stops.push(ensureClusterClickHouse());
  writeFileSync(pcap, pcapOf(traffic(), ethWrap));
  sh(['ip', 'link', 'add', A, 'type', 'veth', 'peer', 'name', B]);
  for (const i of [A, B]) {
    sh(['sysctl', '-qw', `net.ipv6.conf.${i}.disable_ipv6=1`]);
    sh(['ip', 'link', 'set', i, 'up']);
  }
}, 300_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  // each process's log, for a failure's diagnosis
  mkdirSync('test-output/cluster', { recursive: true });
  for (const [i, p] of procs.entries())
    writeFileSync(
      `test-output/cluster/${i}-${p.child.spawnargs[2] ?? 'proc'}.log`,
      [...p.logs.map((l) => JSON.stringify(l)), ...p.stderr].join('\n'),
    );
  spawnSync('ip', ['link', 'del', A]);
  await nodeCommand(1, `DROP DATABASE IF EXISTS ${db} ON CLUSTER ${CLUSTER}`).catch(() => {});
  await deleteClusterTopics(topics).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  for (const stop of stops.reverse()) stop();
}, 300_000);

describe('the cluster: two sensors, three brokers, two analyzers, 2x2 ClickHouse', () => {
  it('keeps the inventory true and alerts once through a killed broker, replica and analyzer', {
    timeout: 420_000,
  }, async () => {
    // the truth: one replay of the same capture
    const truth = new Map<string, number>();
    const r = porthole(['replay', '--json', '--no-progress', pcap]);
    expect(r.status).toBe(0);
    for (const l of r.stdout.split('\n').filter(Boolean)) {
      const o = JSON.parse(l) as { ip: string; port: number; handshakes: number };
      truth.set(`${o.ip}:${o.port}`, (truth.get(`${o.ip}:${o.port}`) ?? 0) + o.handshakes);
    }
    expect(truth.size).toBe(SERVERS.length * PORTS.length);

    const a1 = analyzer(1);
    await a1.waitFor((l) => l.msg === 'joined consumer group', 120_000);
    const a2 = analyzer(4);
    await a2.waitFor((l) => l.msg === 'joined consumer group', 120_000);
    for (const id of ['mirror-a', 'mirror-b']) {
      const s = startPorthole(['sensor', '--iface', B, '--window', '1s'], env({ PORTHOLE_SENSOR_ID: id }));
      procs.push(s);
      await s.waitFor((l) => l.msg === 'dropped privileges', 60_000);
    }

    // the traffic, in real time (the capture's own timing), while faults come in turn
    const replay = new Promise<number | null>((res) => {
      const t = spawn('timeout', ['120', 'tcpreplay', '-q', '-i', A, pcap], { stdio: 'ignore' });
      t.on('exit', (code) => res(code));
    });
    const faults = process.env.PORTHOLE_TEST_NO_FAULTS !== '1';
    await sleep(8_000);
    if (faults) killNode(2); // a broker dies
    await sleep(7_000);
    if (faults) process.kill(pidOf('clickhouse-3'), 'SIGKILL'); // a replica of shard 2 dies
    await sleep(7_000);
    if (faults) await a1.stop('SIGKILL'); // an analyzer dies: a2 takes its partitions over
    await sleep(7_000);
    if (faults) clusterCmd('up', ['kafka-2']); // the broker returns, mid-stream
    expect(await replay).toBe(0);
    const sensors = procs.slice(2);
    for (const s of sensors) expect(await s.stop('SIGTERM')).toBe(0); // a clean stop sends every open window

    // the inventory (read through node 1) equals the replay's, handshakes counted once
    const inventory = async () => {
      const rows = await nodeQuery<{ ip: string; port: number; h: string }>(
        1,
        `SELECT ip, port, sumMerge(handshakes) AS h FROM ${db}.inventory GROUP BY ip, port`,
      );
      return new Map(rows.map((x) => [`${x.ip}:${x.port}`, Number(x.h)]));
    };
    await until(
      async () => JSON.stringify([...(await inventory())].sort()) === JSON.stringify([...truth].sort()),
      90_000,
    );
    const got = await inventory();
    const wrong = [...truth].filter(([k, h]) => got.get(k) !== h).map(([k, h]) => `${k} want ${h} got ${got.get(k)}`);
    if (wrong.length) {
      // what each sensor's rows hold for the endpoints that differ, for the diagnosis
      const rows = await nodeQuery<Record<string, unknown>>(
        1,
        `SELECT ip, port, sensor, window_start, handshakes, dup_handshakes, dup_window, kafka_partition, kafka_offset
         FROM ${db}.observations ORDER BY ip, port, window_start, sensor`,
      );
      mkdirSync('test-output/cluster', { recursive: true });
      writeFileSync('test-output/cluster/mismatch.txt', [...wrong, ...rows.map((r) => JSON.stringify(r))].join('\n'));
    }
    expect(wrong).toEqual([]);

    // every endpoint alerted exactly once
    const alertsOf = () =>
      nodeQuery<{ ip: string; port: number; n: string }>(
        1,
        `SELECT ip, port, uniqExact(alert_id) AS n FROM ${db}.alerts WHERE kind = 'new_service' GROUP BY ip, port`,
      );
    await until(async () => (await alertsOf()).length === truth.size, 60_000);
    const alerts = await alertsOf();
    if (alerts.length !== truth.size) {
      const have = new Set(alerts.map((x) => `${x.ip}:${x.port}`));
      const states = await nodeQuery<Record<string, unknown>>(
        1,
        `SELECT ip, port, state, version, reason FROM ${db}.endpoint_states ORDER BY ip, port, version`,
      );
      mkdirSync('test-output/cluster', { recursive: true });
      writeFileSync(
        'test-output/cluster/alerts.txt',
        [
          ...[...truth.keys()].filter((k) => !have.has(k)).map((k) => `no alert: ${k}`),
          ...states.map((r) => JSON.stringify(r)),
        ].join('\n'),
      );
    }
    expect(alerts.length).toBe(truth.size);
    expect(alerts.filter((x) => Number(x.n) !== 1)).toEqual([]);

    // the replica comes back and catches up with its peer
    clusterCmd('up', ['clickhouse-3']);
    const rowsOn = async (n: number) =>
      Number((await nodeQuery<{ c: string }>(n, `SELECT count() AS c FROM ${db}.observations_local`))[0].c);
    expect(await until(async () => (await rowsOn(3)) === (await rowsOn(4)) && (await rowsOn(4)) > 0, 90_000)).toBe(
      true,
    );
  });
});
