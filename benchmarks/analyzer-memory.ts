// Analyzer memory and restart benchmark, loopback only, bounded: for each size N (endpoints),
// 2N Observations (each endpoint in two windows, two ports per host) go to a fresh 6-partition
// topic, then one `porthole analyzer` (default policy: a fresh database, so every endpoint is
// new) ingests them; reported: ingest time, RSS when every row is stored and its peak, then the
// restart: SIGTERM, start again, time until the analyzer is ready (states loaded, group joined),
// and RSS then. Each size runs on the build under test and, with --before DIR, on a second
// checkout's build (DIR/bin/porthole.js), each on its own database, alternating per size.
// Needs local Kafka and ClickHouse (deploy/local.sh up).
// Usage: node dist/benchmarks/analyzer-memory.js [--sizes 100000,500000,1000000] [--before DIR]

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sleep } from '../common/time.js';
import { analyzerEnv } from '../test/support/analyzer-env.js';
import { chQuery } from '../test/support/clickhouse.js';
import { kafkaClient } from '../test/support/kafka.js';
import { observation } from '../test/support/observations.js';

const { values } = parseArgs({ options: { sizes: { type: 'string' }, before: { type: 'string' } } });
const SIZES = (values.sizes ?? '100000,500000,1000000').split(',').map(Number);
const here = fileURLToPath(new URL('../../', import.meta.url));
const BUDGET_MS = 15 * 60_000; // per analyzer run at most

interface Result {
  build: string;
  endpoints: number;
  ingestS: number;
  rssMb: number;
  peakMb: number;
  restartS: number;
  rssRestartMb: number;
  alerts: number;
}

const mb = (kb: number): number => Math.round(kb / 1024);

function memKb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: get('VmRSS'), hwm: get('VmHWM') };
}

function ipOf(h: number): string {
  return `10.${(h >> 16) & 255}.${(h >> 8) & 255}.${h & 255}`;
}

function start(root: string, env: Record<string, string>): { proc: ChildProcess; joined: Promise<void> } {
  const proc = spawn(process.execPath, [`${root}/bin/porthole.js`, 'analyzer'], {
    env: { ...process.env, ...env, PORTHOLE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // ready: the endpoint states are loaded; a build that loads them before joining its group logs
  // no 'states loaded' line, and is ready when it has joined
  const loadsAfterJoin = readFileSync(`${root}/dist/analyzer/main.js`, 'utf8').includes("'states loaded'");
  const readyLine = loadsAfterJoin ? 'states loaded' : 'joined consumer group';
  let buf = '';
  const joined = new Promise<void>((resolve) => {
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes(readyLine)) resolve();
      if (buf.length > 1 << 20) buf = buf.slice(-4096);
    });
  });
  return { proc, joined };
}

async function stop(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
  proc.kill('SIGKILL');
}

async function run(build: string, root: string, n: number): Promise<Result> {
  const env = analyzerEnv({ PORTHOLE_POLICY_HOME_NETWORKS: '10.0.0.0/8' });
  try {
    const admin = kafkaClient().admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: env.obsTopic, numPartitions: 6 }] });
    await admin.disconnect();
    const producer = kafkaClient().producer();
    await producer.connect();
    const base = Date.now() - 3_600_000;
    // requests of 2,000 messages (under the broker's request size), 8 in flight
    const sends: Array<Promise<unknown>> = [];
    for (let w = 0; w < 2; w++) {
      for (let i = 0; i < n; i += 2000) {
        const msgs = [];
        for (let e = i; e < Math.min(n, i + 2000); e++) {
          const o = observation({ ip: ipOf(e >> 1), port: e & 1 ? 443 : 80, window_start: base + w * 5000 });
          msgs.push({ key: o.ip, value: JSON.stringify(o) });
        }
        sends.push(producer.send({ topic: env.obsTopic, messages: msgs }));
        if (sends.length === 8) await Promise.all(sends.splice(0));
      }
    }
    await Promise.all(sends);
    await producer.disconnect();

    const t0 = Date.now();
    let a = start(root, env.env);
    let stored = 0;
    let peak = 0;
    while (stored < 2 * n && Date.now() - t0 < BUDGET_MS) {
      await sleep(500);
      peak = Math.max(peak, memKb(a.proc.pid!).hwm);
      stored = Number(
        (await chQuery<{ c: string }>(`SELECT count() AS c FROM ${env.db}.observations`).catch(() => [{ c: '0' }]))[0]
          .c,
      );
    }
    const ingestS = (Date.now() - t0) / 1000;
    await sleep(2000); // states and alerts of the last batches
    const m = memKb(a.proc.pid!);
    await stop(a.proc);
    const alerts = Number((await chQuery<{ c: string }>(`SELECT count() AS c FROM ${env.db}.alerts`))[0].c);

    const t1 = Date.now();
    a = start(root, env.env);
    await Promise.race([a.joined, sleep(BUDGET_MS)]);
    const restartS = (Date.now() - t1) / 1000;
    await sleep(3000);
    const m2 = memKb(a.proc.pid!);
    await stop(a.proc);
    return {
      build,
      endpoints: n,
      ingestS: stored < 2 * n ? Number.NaN : ingestS,
      rssMb: mb(m.rss),
      peakMb: mb(Math.max(peak, m.hwm)),
      restartS,
      rssRestartMb: mb(m2.rss),
      alerts,
    };
  } finally {
    await env.cleanup();
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const n of SIZES) {
    const builds: Array<[string, string]> = [['this build', here]];
    if (values.before) builds.unshift(['before', values.before]);
    for (const [name, root] of builds) {
      const r = await run(name, root, n);
      process.stderr.write(`${JSON.stringify(r)}\n`);
      results.push(r);
    }
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const rows = results.map(
    (r) =>
      `| ${r.build} | ${r.endpoints.toLocaleString('en-US')} | ${r.ingestS.toFixed(1)} | ${r.rssMb} | ${r.peakMb} | ${r.restartS.toFixed(1)} | ${r.rssRestartMb} | ${r.alerts.toLocaleString('en-US')} |`,
  );
  process.stdout.write(
    `${machine}\n\n| build | endpoints | ingest (s) | RSS after ingest (MB) | peak RSS (MB) | restart to ready (s) | RSS after restart (MB) | alerts stored |\n|---|---:|---:|---:|---:|---:|---:|---:|\n${rows.join('\n')}\n`,
  );
}

void main();
