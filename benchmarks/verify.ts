// Verification benchmark (issue 5), all in the test's own network namespaces: 40 ports served
// in a namespace, one mirrored client connection per port a second; sensor → analyzer → verifier
// (nmap -sV from the client namespace, concurrency and batching as configured). Reports the time
// from each endpoint's first SYN+ACK (its first_seen) to its stored verification (p50/p99), and
// verifications per minute. Needs root, local Kafka and ClickHouse.
// Usage: node dist/benchmarks/verify.js [CONCURRENCY]

import { cpus, totalmem } from 'node:os';
import { analyzerEnv } from '../test/support/analyzer-env.js';
import { chQuery } from '../test/support/clickhouse.js';
import { CONNECT_CLIENT, createMirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../test/support/netns.js';
import { startPorthole } from '../test/support/porthole-process.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const N = 40;
const concurrency = process.argv[2] ?? '2';

async function main(): Promise<void> {
  const lab = createMirrorLab();
  const env = analyzerEnv({
    PORTHOLE_VERIFY_ALLOWED_NETWORKS: `${SERVER_V4}/32`,
    PORTHOLE_VERIFY_NMAP_COMMAND: `ip,netns,exec,${lab.cli},nmap`,
    PORTHOLE_VERIFY_CONCURRENCY: concurrency,
    PORTHOLE_VERIFY_MAX_RUNS_PER_MINUTE: '600',
  });
  const procs = [];
  try {
    const server = lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, ...Array.from({ length: N }, (_, i) => String(20001 + i))]);
    await new Promise<void>((r) => server.stdout!.once('data', () => r()));
    const an = startPorthole(['analyzer'], env.env);
    procs.push(an);
    await an.waitFor((l) => l.msg === 'joined consumer group', 60_000);
    const ver = startPorthole(['verifier'], env.env);
    procs.push(ver);
    await ver.waitFor((l) => l.msg === 'verifier running', 60_000);
    const sensor = startPorthole(['sensor', '--iface', lab.monitor, '--window', '1s'], {
      PORTHOLE_KAFKA_BROKERS: env.env.PORTHOLE_KAFKA_BROKERS, PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: env.obsTopic, PORTHOLE_KAFKA_STATUS_TOPIC: `${env.obsTopic}.st`,
    });
    procs.push(sensor);
    await sensor.waitFor((l) => l.msg === 'dropped privileges', 30_000);
    await sleep(2000);
    for (let i = 0; i < N; i++) {
      lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, String(20001 + i)]);
      await sleep(1000);
    }
    let rows: Array<{ port: number; first: string; verified: string }> = [];
    for (const end = Date.now() + 300_000; Date.now() < end; await sleep(2000)) {
      rows = await chQuery(`
        SELECT v.port AS port, toString(o.first) AS first, toString(v.verified) AS verified
        FROM (SELECT port, min(ts) AS verified FROM ${env.db}.verifications WHERE status != 'pending' GROUP BY port) AS v
        ALL INNER JOIN (SELECT port, min(first_seen) AS first FROM ${env.db}.observations GROUP BY port) AS o USING port`);
      if (rows.length >= N) break;
    }
    const lat = rows.map((r) => Number(r.verified) - Number(r.first)).sort((a, b) => a - b);
    const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    const ts = rows.map((r) => Number(r.verified)).sort((a, b) => a - b);
    const perMin = ((ts.length - 1) / ((ts[ts.length - 1] - ts[0]) / 60_000)).toFixed(1);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
    process.stdout.write(`${machine}\n\n| verify.concurrency | endpoints verified | first SYN+ACK → stored verification p50 (ms) | p99 (ms) | verifications/min |\n|---:|---:|---:|---:|---:|\n| ${concurrency} | ${lat.length} | ${q(0.5)} | ${q(0.99)} | ${perMin} |\n`);
  } finally {
    for (const p of procs) await p.stop();
    lab.cleanup();
    await env.cleanup();
  }
}

void main();
