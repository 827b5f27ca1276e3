// Analyzer benchmark, loopback only, bounded: (1) sustained Observations/s from Kafka
// into ClickHouse for one analyzer: N Observations (2,000 endpoints, one Observation each per
// window, i.e. a steady state) are produced first, then one analyzer drains them; (2) delay from an Observation entering Kafka to its row in ClickHouse (p50/p99), with the
// analyzer idle and 200 Observations sent 50 ms apart, polled every 25 ms.
// Needs local Kafka and ClickHouse (deploy/local.sh up). Usage: node dist/benchmarks/analyzer.js [N]

import { spawn } from 'node:child_process';
import { CompressionTypes } from 'kafkajs';
import { openSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { analyzerEnv } from '../test/support/analyzer-env.js';
import { chQuery } from '../test/support/clickhouse.js';
import { kafkaClient } from '../test/support/kafka.js';
import { observation } from '../test/support/observations.js';
import { sleep } from '../common/time.js';
import { TOPICS } from '../schemas/topics.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const N = Number(process.argv[2] ?? 500_000);

async function main(): Promise<void> {
  const env = analyzerEnv();
  const admin = kafkaClient().admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: env.obsTopic, numPartitions: TOPICS.observations.partitions }],
  });
  await admin.disconnect();
  const producer = kafkaClient().producer();
  await producer.connect();
  const base = Date.now() - 3_600_000;
  let t = Date.now();
  for (let i = 0; i < N; i += 10_000) {
    const msgs = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      // steady state: 2,000 endpoints on 250 hosts, each observed once per 5 s window
      const e = j % 2000;
      const o = observation({
        ip: `192.0.2.${1 + (e % 250)}`,
        port: 1000 + Math.floor(e / 250),
        window_start: base + Math.floor(j / 2000) * 5000,
        sensor: `s${j % 4}`,
      });
      msgs.push({ key: o.ip, value: JSON.stringify(o) });
    }
    // compressed as a sensor sends them (kafka-publisher.ts)
    await producer.send({ topic: env.obsTopic, compression: CompressionTypes.GZIP, messages: msgs });
  }
  process.stderr.write(`produced ${N} in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);

  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
  const proc = spawn(process.execPath, [...nodeArgs, `${root}bin/porthole.js`, 'analyzer'], {
    env: { ...process.env, ...env.env, PORTHOLE_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
    stdio: [
      'ignore',
      process.env.BENCH_LOG_LEVEL ? openSync('/tmp/porthole-bench-analyzer.log', 'w') : 'ignore',
      'ignore',
    ],
  });
  t = Date.now();
  let stored = 0;
  let tFirst = 0;
  while (stored < N && Date.now() - t < 600_000) {
    await sleep(250);
    try {
      stored = Number((await chQuery<{ c: string }>(`SELECT count() AS c FROM ${env.db}.observations`))[0]?.c ?? 0);
    } catch {
      /* tables not created yet */
    }
    if (stored > 0 && !tFirst) tFirst = Date.now();
  }
  const secs = (Date.now() - tFirst) / 1000;
  const rate = stored / secs;
  process.stderr.write(
    `stored ${stored} in ${secs.toFixed(1)} s after the first row: ${Math.round(rate)} Observations/s\n`,
  );

  // latency
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const o = observation({ ip: '192.0.2.250', port: 20000 + i, window_start: Date.now() - 5000 });
    const sent = Date.now();
    await producer.send({ topic: env.obsTopic, messages: [{ key: o.ip, value: JSON.stringify(o) }] });
    for (;;) {
      const r = await chQuery<{ c: string }>(
        `SELECT count() AS c FROM ${env.db}.observations WHERE ip = '192.0.2.250' AND port = ${20000 + i}`,
      );
      if (Number(r[0].c) > 0) break;
      if (Date.now() - sent > 30_000) break;
      await sleep(25);
    }
    lat.push(Date.now() - sent);
    await sleep(50);
  }
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  await producer.disconnect();
  proc.kill('SIGTERM');
  await sleep(3000);
  await env.cleanup();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  process.stdout.write(
    `${machine}\n\n| Observations | seconds | Observations/s | latency p50 (ms) | p99 (ms) | max (ms) |\n|---:|---:|---:|---:|---:|---:|\n` +
      `| ${stored.toLocaleString('en-US')} | ${secs.toFixed(1)} | ${Math.round(rate).toLocaleString('en-US')} | ${q(0.5)} | ${q(0.99)} | ${lat[lat.length - 1]} |\n`,
  );
}

void main();
