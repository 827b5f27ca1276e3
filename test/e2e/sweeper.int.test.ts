// Scheduled sweeps end to end, all real, nmap only at the test's own namespaces: three hosts
// (addresses of a server namespace) serve 8080, 2222 and 7001; clients reach some of them through
// the mirror (`porthole sensor` and `porthole analyzer`), and 7001 is filtered to the scanner's
// address only. `porthole sweeper` in a scanner namespace sweeps the allowed /32s: every open
// port is found, each endpoint is classified (dormant, both, passive_only), each dormant one
// raises one dormant_exposure alert (which the verifier then verifies, as a new service's) and
// shows in the inventory as seen by the active method;
// an address outside verify.allowedNetworks gets no packet (tcpdump in the scanner namespace).
// Hosts cut by --host-timeout are swept in slow blocks, with the longer timeout, at the next
// sweep. Then two sweepers share a sweep, the one sweeping a block is killed, and every block is still
// done, each counted once.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { chQuery } from '../support/clickhouse.js';
import { deleteTopics, readTopic } from '../support/kafka.js';
import { CONNECT_CLIENT, createMirrorLab, type MirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../support/netns.js';
import { startPipeline } from '../support/pipeline.js';
import { porthole } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { removeNamespace } from '../support/sweep-lab.js';
import { sweepClasses, sweepDone, sweepEnv, sweeps } from '../support/sweeper.js';

const SCANNER = '192.0.3.2';
const HOSTS = [SERVER_V4, '192.0.2.10', '192.0.2.11'];
const OUT_OF_SCOPE = '192.0.2.99';
const ALLOWED = `${SERVER_V4}/32,192.0.2.10/31`;
const sh = (c: string[]): string => execFileSync(c[0], c.slice(1), { encoding: 'utf8', timeout: 20_000 });

let lab: MirrorLab;
const envs: AnalyzerEnv[] = [];
const procs: PortholeProc[] = [];
const topics: string[] = [];
let capture: ChildProcess | null = null;
let scn = '';

const SCOPE = () => ({ allowed: ALLOWED, nmapCommand: `ip,netns,exec,${scn},nmap` });

beforeAll(() => {
  lab = createMirrorLab();
  scn = `ph-${lab.tag}-scn`;
  const a = `ph${lab.tag}x`;
  const b = `ph${lab.tag}y`;
  sh(['ip', 'netns', 'add', scn]);
  sh(['ip', 'link', 'add', a, 'netns', lab.srv, 'type', 'veth', 'peer', 'name', b, 'netns', scn]);
  lab.run(lab.srv, ['ip', 'addr', 'add', '192.0.3.1/24', 'dev', a]);
  lab.run(lab.srv, ['ip', 'link', 'set', a, 'up']);
  for (const ip of [...HOSTS.slice(1), OUT_OF_SCOPE])
    lab.run(lab.srv, ['ip', 'addr', 'add', `${ip}/32`, 'dev', `ph${lab.tag}s`]);
  lab.run(scn, ['ip', 'link', 'set', 'lo', 'up']);
  lab.run(scn, ['ip', 'addr', 'add', `${SCANNER}/24`, 'dev', b]);
  lab.run(scn, ['ip', 'link', 'set', b, 'up']);
  lab.run(scn, ['ip', 'route', 'add', '192.0.2.0/24', 'via', '192.0.3.1']);
  // port 7001 is unreachable from the scanner's address only: its packets are taken away
  lab.run(lab.srv, ['ip', 'link', 'add', `ph${lab.tag}d0`, 'type', 'veth', 'peer', 'name', `ph${lab.tag}d1`]);
  lab.run(lab.srv, ['ip', 'link', 'set', `ph${lab.tag}d0`, 'up']);
  lab.run(lab.srv, ['tc', 'qdisc', 'add', 'dev', a, 'ingress']);
  lab.run(lab.srv, [
    ...['tc', 'filter', 'add', 'dev', a, 'parent', 'ffff:', 'protocol', 'ip', 'u32'],
    ...['match', 'ip', 'src', `${SCANNER}/32`, 'match', 'ip', 'dport', '7001', '0xffff'],
    ...['action', 'mirred', 'egress', 'redirect', 'dev', `ph${lab.tag}d0`],
  ]);
  lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, '8080', '2222', '7001']);
});

afterAll(async () => {
  for (const p of procs) await p.stop();
  capture?.kill('SIGKILL');
  // a killed sweeper's nmap may still run in the scanner namespace
  removeNamespace(scn);
  lab?.cleanup();
  for (const e of envs) await e.cleanup();
  await deleteTopics(topics);
});

describe('porthole sweeper', () => {
  it('finds every open port of the allowed hosts, classifies them against the mirror and alerts dormant ones', async () => {
    const env = analyzerEnv({
      PORTHOLE_VERIFY_ALLOWED_NETWORKS: ALLOWED,
      PORTHOLE_VERIFY_NMAP_COMMAND: `ip,netns,exec,${scn},nmap`,
      PORTHOLE_POLICY_SCANNER_ADDRESSES: SCANNER,
    });
    envs.push(env);
    capture = spawn('ip', ['netns', 'exec', scn, 'tcpdump', '-n', '-l', '-i', 'any', 'host', OUT_OF_SCOPE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let toOutOfScope = '';
    capture.stdout!.on('data', (d: Buffer) => (toOutOfScope += d.toString()));
    await startPipeline(env, lab.monitor, procs);
    await sleep(1500);
    // the mirror sees 8080 on two hosts and 7001 on one
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, '8080', '7001']);
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, '192.0.2.10', '8080']);
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, OUT_OF_SCOPE, '8080']);
    for (const end = Date.now() + 60_000; Date.now() < end && env.services().length < 4; ) await sleep(1000);
    expect(env.services().length).toBe(4);

    const se = sweepEnv(env, SCOPE(), topics, {
      PORTHOLE_SWEEP_PORTS: '2222,7001,8080',
      PORTHOLE_SWEEP_BLOCK_SIZE: '2',
    });
    const sweeper = startPorthole(['sweeper'], se);
    procs.push(sweeper);
    const s = await sweepDone(env.db, 120_000);
    expect(s).toMatchObject({ blocks_done: 2, blocks_total: 2, addresses: 3, hosts_up: 3, ports_open: 6 });
    // how each host answered, kept for the next sweep's fast/slow split
    const hosts = await chQuery<{ ip: string; state: string; rtt_us: number }>(
      `SELECT ip, state, rtt_us FROM ${env.db}.sweep_hosts ORDER BY ip`,
    );
    expect(hosts.map((h) => `${h.ip} ${h.state}`)).toEqual(['192.0.2.1 up', '192.0.2.10 up', '192.0.2.11 up']);
    expect(hosts.every((h) => Number(h.rtt_us) > 0)).toBe(true);
    const classes = sweepClasses(env.db, String(s.sweep_id));
    expect(classes).toEqual({
      [`${SERVER_V4}:8080`]: 'both',
      '192.0.2.10:8080': 'both',
      [`${SERVER_V4}:2222`]: 'dormant',
      '192.0.2.10:2222': 'dormant',
      '192.0.2.11:2222': 'dormant',
      '192.0.2.11:8080': 'dormant',
      [`${SERVER_V4}:7001`]: 'passive_only',
    });

    // one alert per dormant exposure, open, through the same lifecycle as the passive ones
    const r = porthole(['alerts', '--kind', 'dormant_exposure', '--json', '--database', env.db]);
    expect(r.status).toBe(0);
    const alerts = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(alerts.map((a) => `${a.ip}:${a.port}`).sort()).toEqual([
      '192.0.2.10:2222',
      '192.0.2.11:2222',
      '192.0.2.11:8080',
      `${SERVER_V4}:2222`,
    ]);
    expect(alerts.every((a) => a.state === 'open' && a.severity)).toBe(true);

    // the inventory: which method saw each endpoint
    const rows = env.services();
    const by = (ip: string, port: number) => rows.find((x) => x.ip === ip && x.port === port);
    expect(by('192.0.2.11', 2222)).toMatchObject({ state: 'dormant', seen_by: 'active' });
    expect(by(SERVER_V4, 8080)).toMatchObject({ seen_by: 'both' });
    expect(by(SERVER_V4, 7001)).toMatchObject({ seen_by: 'passive', active: null });
    expect(by(OUT_OF_SCOPE, 8080)).toMatchObject({ seen_by: 'passive' });
    // the alert reached the verifier as a new service's does: the dormant endpoint verified (-sV)
    let v: Record<string, unknown> | undefined;
    for (const end = Date.now() + 90_000; Date.now() < end && !v; await sleep(2000)) {
      const w = env.services().find((x) => x.ip === '192.0.2.11' && x.port === 2222)?.verification;
      if (w && w.status !== 'pending') v = w;
    }
    expect(v).toMatchObject({ status: 'verified_open' });

    // progress went out as status messages too; nothing toward the out-of-scope address
    type Status = { sweeps: Array<{ sweep_id: string; state: string; blocks_done: number }> };
    const done = (m: unknown) => (m as Status).sweeps?.some((x) => x.sweep_id === s.sweep_id && x.state === 'done');
    const status = await readTopic(se.PORTHOLE_KAFKA_SWEEP_STATUS_TOPIC, (ms) => ms.some(done), 30_000);
    expect((status.find(done) as Status).sweeps[0]).toMatchObject({ blocks_done: 2, ports_open: 6, hosts_up: 3 });
    expect(sweeper.logs.some((l) => l.msg === 'sweep planned')).toBe(true);
    await sleep(1000);
    expect(toOutOfScope).toBe('');
  }, 300_000);

  it('puts hosts that timed out in slow blocks, with the longer timeout, at the next sweep', async () => {
    const env = analyzerEnv();
    envs.push(env);
    // every host cut by a short --host-timeout in the first sweep (many ports at a low rate)
    const e = sweepEnv(env, SCOPE(), topics, {
      PORTHOLE_SWEEP_PORTS: '1-8000',
      PORTHOLE_SWEEP_MAX_RATE: '2000',
      PORTHOLE_SWEEP_HOST_TIMEOUT: '2s',
      PORTHOLE_SWEEP_SLOW_HOST_TIMEOUT: '60s',
      PORTHOLE_SWEEP_PERIOD: '1m',
      PORTHOLE_SWEEP_BLOCK_SIZE: '2',
    });
    const a = startPorthole(['sweeper'], e);
    procs.push(a);
    await a.waitFor((l) => l.msg === 'sweeper running', 60_000);
    // the first sweep, then one planned after it ended (a sweep planned while the one before
    // still runs knows only the hosts done by then)
    type P = { sweep_id: string; state: string; started_at: number; finish: number };
    let first: P | undefined;
    let next: P | undefined;
    for (const end = Date.now() + 200_000; Date.now() < end && !next; await sleep(2000)) {
      const all = sweeps(env.db) as unknown as P[];
      first = all.at(-1)?.state === 'done' ? all.at(-1) : undefined;
      next = first && all.find((x) => x.started_at > first!.finish && x.state === 'done');
    }
    expect(first).toMatchObject({ slow_blocks: 0, hosts_timed_out: 3, ports_open: 0 });
    expect(next).toMatchObject({ slow_blocks: 2, blocks_total: 2, hosts_timed_out: 0, ports_open: 3 }); // 2222 ×3
    await a.stop();
  }, 300_000);

  it('completes a sweep shared by two sweepers when the one sweeping a block is killed', async () => {
    const env = analyzerEnv();
    envs.push(env);
    // slow enough blocks to be killed mid-way: many ports at a low rate, one host a block
    const e = sweepEnv(env, SCOPE(), topics, {
      PORTHOLE_SWEEP_PORTS: '2000-8100',
      PORTHOLE_SWEEP_MAX_RATE: '300',
      PORTHOLE_SWEEP_HOST_TIMEOUT: '90s',
      PORTHOLE_SWEEP_SLOW_HOST_TIMEOUT: '120s',
      PORTHOLE_SWEEP_BLOCK_SIZE: '1',
    });
    // blocks of about 20 s each outlast the second one's joining the group
    const a = startPorthole(['sweeper'], e);
    procs.push(a);
    await a.waitFor((l) => l.msg === 'sweeper running', 60_000);
    // the second joins the group once the first is between blocks (a member finishes its block
    // before a rebalance): it may not have joined yet when the first is killed; it takes the
    // sweep over then either way
    const b = startPorthole(['sweeper'], e);
    procs.push(b);
    await sleep(3000);
    // whichever is sweeping a block now is killed before it stores it
    const isSweeping = (p: PortholeProc) => {
      const started = p.logs.filter((l) => l.msg === 'sweeping block').length;
      const ended = p.logs.filter((l) => l.msg === 'block done').length;
      return started > ended;
    };
    let victim: PortholeProc | null = null;
    for (const end = Date.now() + 60_000; !victim && Date.now() < end; await sleep(100))
      victim = [a, b].find(isSweeping) ?? null;
    expect(victim).not.toBeNull();
    const lost = victim!.logs.filter((l) => l.msg === 'sweeping block').at(-1)!.block as number;
    victim!.child.kill('SIGKILL');
    const survivor = victim === a ? b : a;

    const s = await sweepDone(env.db, 180_000);
    expect(s).toMatchObject({ blocks_done: 3, blocks_total: 3, addresses: 3, hosts_up: 3, ports_open: 6 });
    const rows = await chQuery<{ block: number; sweeper: string }>(
      `SELECT block, sweeper FROM ${env.db}.sweep_blocks ORDER BY block`,
    );
    expect([...new Set(rows.map((r) => Number(r.block)))]).toEqual([0, 1, 2]);
    const survivorName = String(survivor.logs.find((l) => l.msg === 'sweeper running')!.sweeper);
    // done by the survivor only (possibly twice, when a rebalance interrupted it: stored once)
    expect([...new Set(rows.filter((r) => Number(r.block) === lost).map((r) => r.sweeper))]).toEqual([survivorName]);
    // the results counted once each, however often stored
    const res = await chQuery<{ n: string; d: string }>(
      `SELECT count() AS n, uniqExact(ip, port) AS d FROM (SELECT ip, port FROM ${env.db}.sweep_results GROUP BY ip, port, sweep_id, block)`,
    );
    expect(Number(res[0].d)).toBe(6);
  }, 300_000);
});
