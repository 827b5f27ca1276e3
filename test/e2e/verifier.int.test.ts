// Active verification end to end, all real: servers in a namespace (HTTP, OpenSSH, Redis, a port
// that accepts and stays silent, a port the scanner's address cannot reach), clients whose
// connections are mirrored to `porthole sensor`, `porthole analyzer`, and `porthole verifier`
// running nmap inside a scanner namespace. Each endpoint ends with the right verification;
// an out-of-scope address is refused and — checked by capturing in the scanner namespace — not
// one packet goes toward it. nmap only ever targets the test's own namespaces. The verifier's
// metrics count the same verdicts and one duration per nmap run.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { CONNECT_CLIENT, createMirrorLab, type MirrorLab, SERVER_V4, SERVER_V6 } from '../support/netns.js';
import { freePort, scrape } from '../support/metrics.js';
import type { PortholeProc } from '../support/porthole-process.js';
import { sleep } from '../../common/time.js';
import { startPipeline } from '../support/pipeline.js';

const SCANNER = '192.0.3.2';
const OUT_OF_SCOPE = '192.0.2.99';
const SILENT = `import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 7000)); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
`;
const sh = (c: string[]): string => execFileSync(c[0], c.slice(1), { encoding: 'utf8', timeout: 20_000 });

let lab: MirrorLab;
let env: AnalyzerEnv;
const procs: PortholeProc[] = [];
let capture: ChildProcess | null = null;
const tmp = mkdtempSync(join(tmpdir(), 'porthole-verify-'));
let scn = '';
let metricsPort = 0;

beforeAll(async () => {
  metricsPort = await freePort();
  lab = createMirrorLab();
  scn = `ph-${lab.tag}-scn`;
  const a = `ph${lab.tag}x`;
  const b = `ph${lab.tag}y`;
  sh(['ip', 'netns', 'add', scn]);
  sh(['ip', 'link', 'add', a, 'netns', lab.srv, 'type', 'veth', 'peer', 'name', b, 'netns', scn]);
  lab.run(lab.srv, ['ip', 'addr', 'add', '192.0.3.1/24', 'dev', a]);
  lab.run(lab.srv, ['ip', 'addr', 'add', '2001:db8:6::1/64', 'dev', a, 'nodad']);
  lab.run(lab.srv, ['ip', 'link', 'set', a, 'up']);
  lab.run(lab.srv, ['ip', 'addr', 'add', `${OUT_OF_SCOPE}/32`, 'dev', `ph${lab.tag}s`]);
  lab.run(scn, ['ip', 'link', 'set', 'lo', 'up']);
  lab.run(scn, ['ip', 'addr', 'add', `${SCANNER}/24`, 'dev', b]);
  lab.run(scn, ['ip', 'addr', 'add', '2001:db8:6::2/64', 'dev', b, 'nodad']);
  lab.run(scn, ['ip', 'link', 'set', b, 'up']);
  lab.run(scn, ['ip', 'route', 'add', '192.0.2.0/24', 'via', '192.0.3.1']);
  lab.run(scn, ['ip', '-6', 'route', 'add', '2001:db8:5::/64', 'via', '2001:db8:6::1']);
  // port 7001 is unreachable from the scanner's address only: its packets are taken away
  lab.run(lab.srv, ['ip', 'link', 'add', `ph${lab.tag}d0`, 'type', 'veth', 'peer', 'name', `ph${lab.tag}d1`]);
  lab.run(lab.srv, ['ip', 'link', 'set', `ph${lab.tag}d0`, 'up']);
  lab.run(lab.srv, ['tc', 'qdisc', 'add', 'dev', a, 'ingress']);
  lab.run(lab.srv, [
    'tc',
    'filter',
    'add',
    'dev',
    a,
    'parent',
    'ffff:',
    'protocol',
    'ip',
    'u32',
    'match',
    'ip',
    'src',
    `${SCANNER}/32`,
    'match',
    'ip',
    'dport',
    '7001',
    '0xffff',
    'action',
    'mirred',
    'egress',
    'redirect',
    'dev',
    `ph${lab.tag}d0`,
  ]);
  env = analyzerEnv({
    PORTHOLE_VERIFY_ALLOWED_NETWORKS: `${SERVER_V4}/32,${SERVER_V6}/128`,
    PORTHOLE_VERIFY_NMAP_COMMAND: `ip,netns,exec,${scn},nmap`,
    PORTHOLE_VERIFY_HOST_TIMEOUT: '10s',
    PORTHOLE_VERIFY_SLOW_HOST_TIMEOUT: '15s',
    PORTHOLE_VERIFY_BATCH_DELAY: '1500ms',
    PORTHOLE_POLICY_SCANNER_ADDRESSES: SCANNER,
    PORTHOLE_VERIFY_METRICS_LISTEN: `127.0.0.1:${metricsPort}`,
  });
});

afterAll(async () => {
  for (const p of procs) await p.stop();
  capture?.kill('SIGKILL');
  try {
    sh(['ip', 'netns', 'del', scn]);
  } catch {
    /* gone */
  }
  lab?.cleanup();
  await env?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('porthole verifier', () => {
  it('verifies each mirrored service with nmap and refuses out-of-scope addresses', async () => {
    sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(tmp, 'hostkey')]);
    sh(['mkdir', '-p', '/run/sshd']);
    lab.spawnIn(lab.srv, ['python3', '-m', 'http.server', '8080', '--bind', '::']);
    lab.spawnIn(lab.srv, [
      '/usr/sbin/sshd',
      '-D',
      '-e',
      '-p',
      '2222',
      '-h',
      join(tmp, 'hostkey'),
      '-o',
      'PidFile=none',
      '-o',
      'UsePAM=no',
    ]);
    lab.spawnIn(lab.srv, [
      'redis-server',
      '--port',
      '6379',
      '--bind',
      '0.0.0.0',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ]);
    lab.spawnIn(lab.srv, ['python3', '-c', SILENT]);
    lab.spawnIn(lab.srv, ['python3', '-m', 'http.server', '7001', '--bind', '0.0.0.0']);
    lab.run(lab.cli, [
      'python3',
      '-c',
      'import time,socket\nfor p in (8080,2222,6379,7000,7001):\n  for _ in range(50):\n    try: socket.create_connection(("192.0.2.1",p),1).close(); break\n    except OSError: time.sleep(0.2)',
    ]);

    capture = spawn('ip', ['netns', 'exec', scn, 'tcpdump', '-n', '-l', '-i', 'any', 'host', OUT_OF_SCOPE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let toOutOfScope = '';
    capture.stdout!.on('data', (d: Buffer) => (toOutOfScope += d.toString()));

    const { verifier: ver } = await startPipeline(env, lab.monitor, procs);
    await sleep(1500);

    lab.run(lab.cli, ['curl', '-sS', '-o', '/dev/null', `http://${SERVER_V4}:8080/`]);
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, '2222', '6379', '7000', '7001']);
    lab.run(lab.cli, ['curl', '-sS', '-o', '/dev/null', `http://${OUT_OF_SCOPE}:8080/`]);
    lab.run(lab.cli, ['curl', '-sS', '-g', '-o', '/dev/null', `http://[${SERVER_V6}]:8080/`]);

    const want = ['2222', '6379', '7000', '7001', '8080'];
    let rows: Array<Record<string, unknown>> = [];
    const done = (): boolean => {
      rows = env.services();
      const v = (ip: string, port: number) => rows.find((r) => r.ip === ip && r.port === port)?.verification;
      return (
        want.every((p) => v(SERVER_V4, Number(p)) && v(SERVER_V4, Number(p)).status !== 'pending') &&
        !!v(OUT_OF_SCOPE, 8080) &&
        !!v(SERVER_V6, 8080) &&
        v(SERVER_V6, 8080).status !== 'pending'
      );
    };
    for (const end = Date.now() + 150_000; Date.now() < end && !done(); ) await sleep(2000);
    const by = (ip: string, port: number) => rows.find((r) => r.ip === ip && r.port === port)?.verification ?? {};
    expect(by(SERVER_V4, 8080)).toMatchObject({ status: 'verified_open', service: 'http' });
    expect(by(SERVER_V4, 2222)).toMatchObject({ status: 'verified_open', service: 'ssh', product: 'OpenSSH' });
    expect(by(SERVER_V4, 6379)).toMatchObject({ status: 'verified_open', service: 'redis' });
    expect(by(SERVER_V4, 7001).status).toBe('filtered_to_scanner');
    expect(by(SERVER_V4, 7000).status).toBe('unverifiable');
    expect(by(SERVER_V4, 7000).reason).toMatch(/host timeout/);
    expect(by(OUT_OF_SCOPE, 8080)).toMatchObject({ status: 'refused' });
    expect(by(SERVER_V6, 8080)).toMatchObject({ status: 'verified_open', service: 'http' }); // nmap -6
    expect(rows.find((r) => r.ip === SERVER_V4 && r.port === 8080)!.state).toBe('active');
    await sleep(1000);
    expect(toOutOfScope).toBe('');
    const lines = ver.logs.filter((l) => l.msg === 'verifying').map((l) => String(l.cmd));
    expect(lines.length).toBeGreaterThan(0);
    for (const c of lines) expect(c).toMatch(/ -- (192\.0\.2\.1|2001:db8:5::1)$/);
    expect(lines.some((c) => c.includes(' -6 -- 2001:db8:5::1'))).toBe(true);

    const m = await scrape(metricsPort);
    const verdicts = Object.fromEntries(
      [...m].filter(([k]) => k.startsWith('porthole_verifications_total{')).map(([k, v]) => [k.split('"')[1], v]),
    );
    expect(verdicts).toEqual({ verified_open: 4, filtered_to_scanner: 1, unverifiable: 1, refused: 1 });
    expect(m.get('porthole_nmap_run_duration_seconds_count')).toBe(lines.length);
    expect(m.get('porthole_verifications_queued')).toBe(0);
  });
});
