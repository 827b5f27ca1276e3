// Scheduled sweeps of a 30-host lab (test/support/sweep-lab.ts), all real, nmap only at the lab's
// namespaces: one sweep finds every open port of every host, the fast, the slow and the lossy
// ones; each endpoint is classified against what a client's mirrored traffic showed (dormant,
// both, passive_only for a port open to clients but dropped from the scanner); the slow hosts are
// swept apart in the next sweep, whose fast blocks then no longer wait on them; and the host just
// past the allowed network, seen on the mirror, in policy.homeNetworks and with its ports in
// sweep.ports, is never sent a packet from the scanner's namespace (tcpdump there).

import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { chQuery } from '../support/clickhouse.js';
import { deleteTopics } from '../support/kafka.js';
import { CONNECT_CLIENT } from '../support/netns.js';
import { startAnalyzer, startSensor } from '../support/pipeline.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { createSweepLab, FILTERED_PORT, type SweepLab } from '../support/sweep-lab.js';
import { sweepClasses, sweepDone, sweepEnv, sweeps } from '../support/sweeper.js';

// the lab's ports and the filtered one among closed ones
const PORTS = '20-25,80,443,1000-1060,2222,3306,5432,6379,7001,8080,8443,9200';

let lab: SweepLab;
let env: AnalyzerEnv | undefined;
const procs: PortholeProc[] = [];
const topics: string[] = [];
let capture: ChildProcess | null = null;

beforeAll(async () => {
  lab = await createSweepLab({ hosts: 30, slow: 3, lossy: 3, slowRate: '4kbit', lossPercent: 10 });
}, 60_000);

afterAll(async () => {
  for (const p of procs) await p.stop();
  capture?.kill('SIGKILL');
  lab?.cleanup();
  await env?.cleanup();
  await deleteTopics(topics);
});

type Sweep = { sweep_id: string; state: string; started_at: number; finish: number };
type BlockRow = { block: number; grp: string; targets: string[]; started_at: string; done_at: string };

async function blocksOf(db: string, sweepId: string): Promise<Array<BlockRow & { ms: number }>> {
  const rows = await chQuery<BlockRow>(
    `SELECT block, grp, targets, started_at, done_at FROM ${db}.sweep_blocks FINAL WHERE sweep_id = '${sweepId}' ORDER BY block`,
  );
  return rows.map((r) => ({ ...r, ms: Number(r.done_at) - Number(r.started_at) }));
}

describe('a sweep of the 30-host lab', () => {
  it('finds every open port, classifies against the mirror, sweeps slow hosts apart next time, and stays in scope', async () => {
    // the allowed network written with host bits set; the host just past it is tracked and seen
    const allowed = lab.allowed.replace('.0/', '.31/');
    env = analyzerEnv({
      PORTHOLE_POLICY_HOME_NETWORKS: '198.18.0.0/15',
      PORTHOLE_POLICY_SCANNER_ADDRESSES: lab.scannerIp,
      PORTHOLE_VERIFY_ALLOWED_NETWORKS: allowed,
      PORTHOLE_VERIFY_NMAP_COMMAND: lab.nmapCommand,
    });
    capture = spawn('ip', ['netns', 'exec', lab.scanner, 'tcpdump', '-n', '-l', '-i', 'any', 'host', lab.outside.ip], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let toOutside = '';
    capture.stdout!.on('data', (d: Buffer) => (toOutside += d.toString()));
    // no verifier: its -sV runs at the lab's hosts would share their slow links with the sweeps
    await startAnalyzer(env, procs);
    await startSensor(env, lab.monitor, procs);
    await sleep(1500);

    // clients use one port of a few hosts, and the port filtered to the scanner on others
    const used = lab.hosts.filter((_, i) => i % 7 === 0).map((h) => `${h.ip}:${h.ports[0]}`);
    const filtered = lab.hosts.filter((h) => h.filtered.length).map((h) => `${h.ip}:${FILTERED_PORT}`);
    for (const ep of [...used, ...filtered, `${lab.outside.ip}:${lab.outside.ports[1]}`]) {
      const [ip, port] = ep.split(':');
      lab.run(lab.client, ['python3', '-c', CONNECT_CLIENT, ip, port]);
    }
    const seen = used.length + filtered.length + 1;
    for (const end = Date.now() + 60_000; Date.now() < end && env.services().length < seen; ) await sleep(1000);
    expect(env.services().length).toBe(seen);

    // start the sweeper early in a minute, so the first sweep ends before the next slot's plan
    const sec = new Date().getUTCSeconds();
    if (sec > 20) await sleep((61 - sec) * 1000);
    const se = sweepEnv(env, { allowed, nmapCommand: lab.nmapCommand }, topics, {
      PORTHOLE_SWEEP_PORTS: `${PORTS},${lab.outside.ports.join(',')}`,
      PORTHOLE_SWEEP_PERIOD: '1m',
      PORTHOLE_SWEEP_BLOCK_SIZE: '10',
      PORTHOLE_SWEEP_MIN_HOST_GROUP: '64',
      PORTHOLE_SWEEP_HOST_TIMEOUT: '60s',
      PORTHOLE_SWEEP_SLOW_HOST_TIMEOUT: '120s',
      PORTHOLE_SWEEP_SLOW_RTT: '200ms',
      PORTHOLE_SWEEP_MAX_RETRIES: '3',
    });
    const sweeper = startPorthole(['sweeper'], se);
    procs.push(sweeper);
    const first = (await sweepDone(env.db, 100_000)) as unknown as Sweep;
    const truth = lab.truth();
    expect(first).toMatchObject({
      addresses: 32,
      blocks_total: 4,
      slow_blocks: 0,
      hosts_up: 30,
      ports_open: truth.size,
    });
    const found = await chQuery<{ ip: string; port: number }>(
      `SELECT DISTINCT ip, port FROM ${env.db}.sweep_results WHERE sweep_id = '${first.sweep_id}' AND nmap_state = 'open'`,
    );
    expect(new Set(found.map((r) => `${r.ip}:${r.port}`))).toEqual(truth);

    // classified against the mirror
    const expected: Record<string, string> = {};
    for (const ep of truth) expected[ep] = used.includes(ep) ? 'both' : 'dormant';
    for (const ep of filtered) expected[ep] = 'passive_only';
    expect(sweepClasses(env.db, first.sweep_id)).toEqual(expected);

    // the next slot's sweep: the slow hosts in a block of their own, the fast blocks quick
    let next: Sweep | undefined;
    for (const end = Date.now() + 130_000; Date.now() < end && !next; await sleep(2000))
      next = (sweeps(env.db) as unknown as Sweep[]).find((x) => x.started_at > first.finish && x.state === 'done');
    const before = await blocksOf(env.db, first.sweep_id);
    const after = await blocksOf(env.db, next!.sweep_id);
    const again = await chQuery<{ ip: string; port: number }>(
      `SELECT DISTINCT ip, port FROM ${env.db}.sweep_results WHERE sweep_id = '${next!.sweep_id}' AND nmap_state = 'open'`,
    );
    const timing = `block ms, first sweep: ${before.map((b) => b.ms)}; next: ${after.map((b) => `${b.grp} ${b.ms}`)}`;
    expect(new Set(again.map((r) => `${r.ip}:${r.port}`))).toEqual(truth);
    expect(next).toMatchObject({ blocks_total: 4, slow_blocks: 1, hosts_timed_out: 0, ports_open: truth.size });
    const slowIps = lab.hosts.filter((h) => h.kind === 'slow').map((h) => h.ip);
    expect(after.filter((b) => b.grp === 'slow').map((b) => b.targets)).toEqual([slowIps]);
    // every first-sweep block holding a slow host took half as long again as any fast block now
    const held = before.filter((b) => b.targets.some((ip) => slowIps.includes(ip))).map((b) => b.ms);
    const fast = after.filter((b) => b.grp === 'fast').map((b) => b.ms);
    expect(held).toHaveLength(3);
    expect(Math.max(...fast) * 1.5, timing).toBeLessThan(Math.min(...held));

    await sleep(1000);
    expect(toOutside).toBe('');
  }, 240_000);
});
