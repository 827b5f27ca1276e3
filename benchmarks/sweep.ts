// Sweep benchmark on the namespace lab (test/support/sweep-lab.ts: 30 hosts, slow and lossy ones
// among them), the scanner's link shaped by tc tbf to a fixed bandwidth: for each bandwidth and
// rate, the time and the ports found (against the lab's truth) of (a) nmap with default timing
// (-sS, the same ports, no other option), (b) `porthole sweeper` (the real process: a first sweep
// with no history, then the next slot's sweep with the slow hosts in blocks of their own), and
// (c) masscan at the same rate as the sweeper's sweep.maxRate. Every scanner runs in the lab's
// scanner namespace at the lab's allowed network only. Needs root, nmap, masscan, local Kafka and
// ClickHouse. Each scan is bounded in time; the lab is removed on exit, on failure and on signals.
// Usage: node dist/benchmarks/sweep.js [BANDWIDTH:RATE,...] [BLOCK_SIZE] [HOST_TIMEOUT] [PORTS]
//   e.g. node dist/benchmarks/sweep.js 1mbit:2000,4mbit:8000 8 10s

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { sleep } from '../common/time.js';
import { analyzerEnv } from '../test/support/analyzer-env.js';
import { chQuery } from '../test/support/clickhouse.js';
import { deleteTopics } from '../test/support/kafka.js';
import { type PortholeProc, startPorthole } from '../test/support/porthole-process.js';
import { createSweepLab, type SweepLab } from '../test/support/sweep-lab.js';
import { sweepEnv, sweeps } from '../test/support/sweeper.js';

const runs = (process.argv[2] ?? '1mbit:2000').split(',').map((r) => {
  const [bandwidth, rate] = r.split(':');
  return { bandwidth, rate: Number(rate) };
});
const BLOCK_SIZE = process.argv[3] ?? '8';
const HOST_TIMEOUT = process.argv[4] ?? '2m';
const PORTS = process.argv[5] ?? '1-1024,2222,3306,5432,6379,7001,8080,8443,9200';
/** No scan of the benchmark runs longer than this. */
const SCAN_LIMIT_MS = 600_000;

interface Result {
  tool: string;
  seconds: number;
  found: Set<string>;
  fastDone?: number; // seconds from the sweep's start to its last fast block stored
}

/** Open ports in nmap's XML, as "ip:port". */
function nmapOpen(xml: string): Set<string> {
  const out = new Set<string>();
  for (const [host] of xml.matchAll(/<host[ >].*?<\/host>/gs)) {
    const ip = /<address addr="([^"]+)" addrtype="ipv4"/.exec(host)?.[1];
    for (const m of host.matchAll(/portid="(\d+)"><state state="open"/g)) out.add(`${ip}:${m[1]}`);
  }
  return out;
}

function runNmap(lab: SweepLab): Result {
  const t = Date.now();
  const xml = lab.run(lab.scanner, ['nmap', '-sS', '-n', '-p', PORTS, '-oX', '-', lab.allowed], SCAN_LIMIT_MS);
  return { tool: 'nmap -sS (default timing)', seconds: (Date.now() - t) / 1000, found: nmapOpen(xml) };
}

/** masscan with its default wait for late answers. Its receive thread only notices the end of
 *  that wait on a packet: a slow ping on the scanner's link keeps it from waiting on. */
function runMasscan(lab: SweepLab, rate: number): Result {
  const gw = lab.scannerIp.replace(/\.\d+$/, '.1');
  const ping = lab.spawnIn(lab.scanner, ['ping', '-q', '-i', '0.5', '-w', String(SCAN_LIMIT_MS / 1000), gw]);
  const t = Date.now();
  let out: string;
  try {
    out = execFileSync(
      'ip',
      ['netns', 'exec', lab.scanner, 'masscan', '-p', PORTS, '--rate', String(rate), '-oL', '-', lab.allowed],
      { encoding: 'utf8', timeout: SCAN_LIMIT_MS, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } finally {
    ping.kill('SIGKILL');
  }
  const found = new Set<string>();
  for (const l of out.split('\n')) {
    const [state, proto, port, ip] = l.split(' ');
    if (state === 'open' && proto === 'tcp') found.add(`${ip}:${port}`);
  }
  return { tool: `masscan --rate ${rate}`, seconds: (Date.now() - t) / 1000, found };
}

type Sweep = { sweep_id: string; state: string; started_at: number; finish: number; slow_blocks: number };

/** The sweeper's first sweep (no history) and the next slot's (slow hosts apart). */
async function runPorthole(lab: SweepLab, rate: number): Promise<Result[]> {
  const env = analyzerEnv();
  const topics: string[] = [];
  let proc: PortholeProc | undefined;
  try {
    // early in a minute: the first sweep is then done before the next slot is planned
    const sec = new Date().getUTCSeconds();
    if (sec > 5) await sleep((61 - sec) * 1000);
    proc = startPorthole(
      ['sweeper'],
      sweepEnv(env, { allowed: lab.allowed, nmapCommand: lab.nmapCommand }, topics, {
        PORTHOLE_SWEEP_PERIOD: '1m',
        PORTHOLE_SWEEP_PORTS: PORTS,
        PORTHOLE_SWEEP_MAX_RATE: String(rate),
        // the defaults of docs/sweeps.md otherwise
        PORTHOLE_SWEEP_HOST_TIMEOUT: HOST_TIMEOUT,
        PORTHOLE_SWEEP_SLOW_HOST_TIMEOUT: '15m',
        PORTHOLE_SWEEP_MIN_HOST_GROUP: '64',
        PORTHOLE_SWEEP_BLOCK_SIZE: BLOCK_SIZE,
      }),
    );
    await proc.waitFor((l) => l.msg === 'sweeper running', 60_000);
    // the first sweep, then the first one planned after it ended (knowing every host's answer)
    let first: Sweep | undefined;
    let next: Sweep | undefined;
    for (const end = Date.now() + 2 * SCAN_LIMIT_MS; Date.now() < end && !next; await sleep(1000)) {
      const all = sweeps(env.db) as unknown as Sweep[];
      first = all.at(-1)?.state === 'done' ? all.at(-1) : undefined;
      next = first && all.find((x) => x.started_at > first!.finish && x.state === 'done');
    }
    const results: Result[] = [];
    for (const s of [first, next]) {
      if (!s) continue;
      const [shown] = sweeps(env.db, ['show', s.sweep_id]);
      const found = new Set(
        (shown.endpoints as Array<{ ip: string; port: number; class: string }>)
          .filter((e) => e.class !== 'passive_only')
          .map((e) => `${e.ip}:${e.port}`),
      );
      const [f] = await chQuery<{ t: string }>(
        `SELECT max(done_at) AS t FROM ${env.db}.sweep_blocks WHERE sweep_id = '${s.sweep_id}' AND grp = 'fast'`,
      );
      const what = s === first ? 'first sweep, no history' : `next sweep, ${s.slow_blocks} slow block(s)`;
      results.push({
        tool: `porthole sweeper, blocks of ${BLOCK_SIZE}, host timeout ${HOST_TIMEOUT} (${what})`,
        seconds: (s.finish - s.started_at) / 1000,
        found,
        fastDone: (Number(f.t) - s.started_at) / 1000,
      });
    }
    return results;
  } finally {
    await proc?.stop();
    await env.cleanup();
    await deleteTopics(topics);
  }
}

async function main(): Promise<void> {
  const lab = await createSweepLab({ hosts: 30, slow: 3, lossy: 3, slowRate: '32kbit', lossPercent: 20 });
  const stop = (): void => {
    lab.cleanup();
    process.exit(1);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const truth = lab.truth();
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
    const nmapVersion = execFileSync('nmap', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    // masscan --version exits 1
    const masscanVersion = spawnSync('masscan', ['--version'], { encoding: 'utf8' })
      .stdout.split('\n')
      .find((l) => /version/i.test(l));
    process.stdout.write(
      `${machine}; ${nmapVersion}; ${masscanVersion?.trim()}\nlab: ${lab.hosts.length} hosts in ${lab.allowed} (${lab.hosts.filter((h) => h.kind === 'slow').length} slow, ${lab.hosts.filter((h) => h.kind === 'lossy').length} lossy), ${truth.size} open ports; ports swept: ${PORTS}\n\n`,
    );
    process.stdout.write(
      '| scanner link | rate (pkt/s) | scanner | time (s) | fast hosts done (s) | open ports found | missed | not open |\n|---|---:|---|---:|---:|---:|---|---:|\n',
    );
    for (const r of runs) {
      lab.shapeScanner(r.bandwidth);
      const print = (x: Result): void => {
        const hit = [...truth].filter((ep) => x.found.has(ep)).length;
        const missed = [...truth].filter((ep) => !x.found.has(ep));
        const extra = [...x.found].filter((ep) => !truth.has(ep)).length;
        process.stdout.write(
          `| tbf ${r.bandwidth} | ${r.rate} | ${x.tool} | ${x.seconds.toFixed(1)} | ${x.fastDone?.toFixed(1) ?? ''} | ${hit} / ${truth.size} | ${missed.length ? missed.join(' ') : 0} | ${extra} |\n`,
        );
      };
      print(runNmap(lab));
      for (const x of await runPorthole(lab, r.rate)) print(x);
      print(runMasscan(lab, r.rate));
    }
  } finally {
    lab.cleanup();
  }
}

void main();
