// Capacity benchmark, loopback only, bounded: the figures behind docs/capacity.md.
// E endpoints (4 ports per host) each observed in W windows by one sensor — E × W Observations —
// are produced to a fresh topic first; then A analyzers in one group drain them into a fresh
// database. Reports Observations/s stored (first row to last), and, after merging, the bytes on
// disk per Observation of every table (read from each ClickHouse node given, so a cluster's
// replicas are all counted), from which disk per day follows for any endpoint count and window.
// Usage: node dist/benchmarks/capacity.js [--endpoints E] [--windows W] [--analyzers A]
//        [--brokers H:P,…] [--replication R] [--clickhouse URL] [--cluster NAME] [--nodes URL,…]
// Single server by default (deploy/local.sh up); a cluster with --cluster and its URLs
// (deploy/local.sh up --cluster).

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { sleep } from '../common/time.js';
import { TOPICS } from '../schemas/topics.js';
import { analyzerEnv } from '../test/support/analyzer-env.js';
import { BROKERS } from '../test/support/kafka.js';
import { CH_URL } from '../test/support/clickhouse.js';
import { observation } from '../test/support/observations.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: a } = parseArgs({
  options: {
    endpoints: { type: 'string', default: '10000' },
    windows: { type: 'string', default: '50' },
    analyzers: { type: 'string', default: '1' },
    brokers: { type: 'string', default: BROKERS.join(',') },
    replication: { type: 'string', default: '1' },
    clickhouse: { type: 'string', default: CH_URL },
    cluster: { type: 'string' },
    nodes: { type: 'string' },
  },
});
const E = Number(a.endpoints);
const W = Number(a.windows);
const A = Number(a.analyzers);
const N = E * W;
const WINDOW_MS = 5000;
const brokers = a.brokers.split(',');
const nodes = (a.nodes ?? a.clickhouse).split(',');

// long statements (OPTIMIZE … FINAL) keep the connection alive with progress headers
const client = (url: string) =>
  createClient({
    url,
    request_timeout: 600_000,
    clickhouse_settings: { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' },
  });

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = client(url);
  try {
    return (await (await c.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];
  } finally {
    await c.close();
  }
}

async function command(url: string, sql: string): Promise<void> {
  const c = client(url);
  try {
    await c.command({ query: sql });
  } finally {
    await c.close();
  }
}

/** CPU seconds (user + system) used so far by the processes whose command line matches. */
function cpuSeconds(match: (cmdline: string, pid: number) => boolean): number {
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!match(cmd, Number(d))) continue;
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {
      /* gone meanwhile */
    }
  }
  return ticks / 100; // USER_HZ
}

/** A deterministic pseudo-random number in [0, n) from i. */
const pick = (i: number, n: number): number => (Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0) % n;

async function produce(topic: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'porthole-capacity', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: TOPICS.observations.partitions, replicationFactor: Number(a.replication) }],
  });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const base = Math.floor((Date.now() - W * WINDOW_MS - 60_000) / WINDOW_MS) * WINDOW_MS;
  for (let i = 0; i < N; i += 10_000) {
    const msgs = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const e = j % E;
      const host = e >> 2;
      const clients = 1 + pick(j, 20);
      const o = observation({
        ip: `10.${(host >> 16) & 255}.${(host >> 8) & 255}.${host & 255}`,
        port: [22, 80, 443, 8080][e & 3],
        window_start: base + Math.floor(j / E) * WINDOW_MS,
        handshakes: 1 + pick(j + 1, 50),
        clients,
        clients_internet: clients,
        sample_client: `198.51.100.${1 + pick(j + 2, 250)}`,
        sensor: 'capacity',
      });
      msgs.push({ key: o.ip, value: JSON.stringify(o) });
    }
    await producer.send({ topic, compression: CompressionTypes.GZIP, acks: -1, messages: msgs });
  }
  await producer.disconnect();
}

async function main(): Promise<void> {
  const env = analyzerEnv({
    PORTHOLE_CLICKHOUSE_URL: a.clickhouse,
    PORTHOLE_KAFKA_BROKERS: brokers.join(','),
    ...(a.cluster ? { PORTHOLE_CLICKHOUSE_CLUSTER: a.cluster } : {}),
  });
  const procs: ChildProcess[] = [];
  const stop = (): void => {
    for (const p of procs) p.kill('SIGTERM');
  };
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    let t = Date.now();
    await produce(env.obsTopic);
    process.stderr.write(`produced ${N} in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    for (let i = 0; i < A; i++)
      procs.push(
        spawn(process.execPath, [`${root}bin/porthole.js`, 'analyzer'], {
          env: { ...process.env, ...env.env, PORTHOLE_LOG_LEVEL: 'warn', PORTHOLE_POLICY_FIRST_START_LIMIT: '1000' },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    const analyzers = new Set(procs.map((p) => p.pid));
    const tiers = {
      analyzers: (_: string, pid: number) => analyzers.has(pid),
      clickhouse: (c: string) => c.includes('clickhouse-server') || c.startsWith('clickhouse server'),
      kafka: (c: string) => c.includes('kafka.Kafka'),
    };
    const cpu0 = Object.fromEntries(Object.entries(tiers).map(([k, f]) => [k, cpuSeconds(f)]));
    t = Date.now();
    let stored = 0;
    let tFirst = 0;
    while (stored < N && Date.now() - t < 900_000) {
      await sleep(250);
      try {
        stored = Number(
          (await query<{ c: string }>(a.clickhouse, `SELECT count() AS c FROM ${env.db}.observations`))[0]?.c ?? 0,
        );
      } catch {
        /* tables not created yet */
      }
      if (stored > 0 && !tFirst) tFirst = Date.now();
    }
    const secs = (Date.now() - tFirst) / 1000;
    // CPU each tier spent on the ingest (from the analyzers' start, so their start-up is included)
    const cpu = Object.fromEntries(Object.entries(tiers).map(([k, f]) => [k, cpuSeconds(f) - cpu0[k]]));
    stop();
    await sleep(2000);
    // disk after merges, every node: what a day of these rows costs
    const bytes = new Map<string, number>();
    const rows = new Map<string, number>();
    for (const url of nodes) {
      const tables = await query<{ name: string }>(
        url,
        // tables with parts only: 18.16 fails OPTIMIZE FINAL of an empty replicated table (compat.ts)
        `SELECT DISTINCT table AS name FROM system.parts WHERE database = '${env.db}' AND active`,
      );
      for (const { name } of tables) await command(url, `OPTIMIZE TABLE ${env.db}.${name} FINAL`);
      for (const r of await query<{ table: string; b: string; r: string }>(
        url,
        `SELECT table, sum(bytes_on_disk) AS b, sum(rows) AS r FROM system.parts WHERE database = '${env.db}' AND active GROUP BY table`,
      )) {
        bytes.set(r.table, (bytes.get(r.table) ?? 0) + Number(r.b));
        rows.set(r.table, (rows.get(r.table) ?? 0) + Number(r.r));
      }
    }
    const total = [...bytes.values()].reduce((x, y) => x + y, 0);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    const perDay10k = (total / N) * 10_000 * (86_400_000 / WINDOW_MS);
    process.stdout.write(
      `${machine}; ${a.cluster ? `cluster ${a.cluster}, ${nodes.length} nodes` : 'one ClickHouse server'}; ${A} analyzer(s); ${brokers.length} broker(s)\n\n` +
        '| Observations | endpoints | windows | seconds | Observations/s | bytes on disk per Observation (all tables, all replicas) |\n|---:|---:|---:|---:|---:|---:|\n' +
        `| ${fmt(stored)} | ${fmt(E)} | ${W} | ${secs.toFixed(1)} | ${fmt(stored / secs)} | ${(total / N).toFixed(1)} |\n\n` +
        '| table | rows (all replicas) | bytes on disk | bytes per row |\n|---|---:|---:|---:|\n' +
        [...bytes]
          .sort((x, y) => y[1] - x[1])
          .map(
            ([k, v]) => `| ${k} | ${fmt(rows.get(k) ?? 0)} | ${fmt(v)} | ${(v / (rows.get(k) ?? 1) || 0).toFixed(1)} |`,
          )
          .join('\n') +
        `\n\nCPU seconds spent during the ingest, and Observations per CPU second: ${Object.entries(cpu)
          .map(([k, v]) => `${k} ${v.toFixed(1)} s (${fmt(stored / v)}/s)`)
          .join(', ')}` +
        `\n\ndisk per day per 10,000 endpoints seen in every 5 s window, at these bytes per Observation: ${(perDay10k / 2 ** 30).toFixed(2)} GiB\n`,
    );
    if (stored < N) process.exitCode = 1;
  } finally {
    stop();
    await sleep(1000);
    if (a.cluster) await command(a.clickhouse, `DROP DATABASE IF EXISTS ${env.db} ON CLUSTER ${a.cluster}`);
    await env.cleanup().catch(() => {});
    const kafka = new Kafka({ clientId: 'porthole-capacity', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [env.obsTopic] }).catch(() => {});
    await admin.disconnect();
  }
}

void main();
