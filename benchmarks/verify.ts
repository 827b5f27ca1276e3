// Verification benchmark, all in the test's own network namespaces: 40 ports served
// in a namespace, one mirrored client connection per port a second; sensor → analyzer → verifier
// (nmap -sV from the client namespace, concurrency and batching as configured). Reports the time
// from each endpoint's first SYN+ACK (its first_seen) to its stored verification (p50/p99), and
// verifications per minute. Needs root, local Kafka and ClickHouse.
// Backlog mode (HOSTS > 1): the server namespace gets HOSTS addresses, and the client connects to
// 4 ports on each of them in one burst, so the verifier starts with a backlog of HOSTS × 4
// endpoints on HOSTS hosts; verifications/min then measures the verifier, not the offered rate.
// Usage: node dist/benchmarks/verify.js [CONCURRENCY] [HOSTS]

import { cpus, totalmem } from 'node:os';
import { analyzerEnv } from '../test/support/analyzer-env.js';
import { chQuery } from '../test/support/clickhouse.js';
import { CONNECT_CLIENT, createMirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../test/support/netns.js';
import type { PortholeProc } from '../test/support/porthole-process.js';
import { sleep } from '../common/time.js';
import { startPipeline } from '../test/support/pipeline.js';

const concurrency = process.argv[2] ?? '2';
const HOSTS = Number(process.argv[3] ?? 1);
const PORTS = HOSTS > 1 ? 4 : 40; // per host
const N = HOSTS * PORTS;
// the first host is the lab's server address; more are added beside it (192.0.2.101 and up)
const hosts = [SERVER_V4, ...Array.from({ length: HOSTS - 1 }, (_, i) => `192.0.2.${101 + i}`)];

async function main(): Promise<void> {
  const lab = createMirrorLab();
  const env = analyzerEnv({
    PORTHOLE_VERIFY_ALLOWED_NETWORKS: hosts.map((h) => `${h}/32`).join(','),
    PORTHOLE_VERIFY_NMAP_COMMAND: `ip,netns,exec,${lab.cli},nmap`,
    PORTHOLE_VERIFY_CONCURRENCY: concurrency,
    PORTHOLE_VERIFY_MAX_RUNS_PER_MINUTE: '600',
  });
  const procs: PortholeProc[] = [];
  try {
    for (const h of hosts.slice(1)) lab.run(lab.srv, ['ip', 'addr', 'add', `${h}/24`, 'dev', `ph${lab.tag}s`]);
    const server = lab.spawnIn(lab.srv, [
      'python3',
      '-c',
      MULTI_PORT_SERVER,
      ...Array.from({ length: PORTS }, (_, i) => String(20001 + i)),
    ]);
    await new Promise<void>((r) => server.stdout!.once('data', () => r()));
    await startPipeline(env, lab.monitor, procs);
    await sleep(2000);
    if (HOSTS === 1) {
      for (let i = 0; i < N; i++) {
        lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, String(20001 + i)]);
        await sleep(1000);
      }
    } else {
      const ports = Array.from({ length: PORTS }, (_, i) => String(20001 + i));
      for (const h of hosts) lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, h, ...ports]);
    }
    let rows: Array<{ ep: string; first: string; verified: string }> = [];
    for (const end = Date.now() + 600_000; Date.now() < end; await sleep(2000)) {
      rows = await chQuery(`
        SELECT v.ep AS ep, toString(o.first) AS first, toString(v.verified) AS verified
        FROM (SELECT concat(ip, ':', toString(port)) AS ep, min(ts) AS verified FROM ${env.db}.verifications WHERE status != 'pending' GROUP BY ep) AS v
        ALL INNER JOIN (SELECT concat(ip, ':', toString(port)) AS ep, min(first_seen) AS first FROM ${env.db}.observations GROUP BY ep) AS o USING ep`);
      if (rows.length >= N) break;
    }
    const lat = rows.map((r) => Number(r.verified) - Number(r.first)).sort((a, b) => a - b);
    const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    const ts = rows.map((r) => Number(r.verified)).sort((a, b) => a - b);
    const perMin = ((ts.length - 1) / ((ts[ts.length - 1] - ts[0]) / 60_000)).toFixed(1);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
    process.stdout.write(
      `${machine}\n\n| verify.concurrency | hosts | endpoints verified | first SYN+ACK → stored verification p50 (ms) | p99 (ms) | verifications/min |\n|---:|---:|---:|---:|---:|---:|\n| ${concurrency} | ${HOSTS} | ${lat.length} | ${q(0.5)} | ${q(0.99)} | ${perMin} |\n`,
    );
  } finally {
    for (const p of procs) await p.stop();
    lab.cleanup();
    await env.cleanup();
  }
}

void main();
