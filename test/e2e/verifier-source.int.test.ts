// The verifier's probes never count as a client's handshakes, even when the verifier runs on the
// clients' host: a client (192.0.2.2, 2001:db8:5::2) and nmap share one namespace, nmap sending
// from verify.sourceAddresses (192.0.2.3, 2001:db8:5::3) with -S, which the sensor ignores
// (track.scannerAddresses). All real: servers in a namespace (a banner nmap does not know, so
// -sV runs its version scripts too, rpc-grind among them), its link mirrored to `porthole sensor`,
// `porthole analyzer`, `porthole verifier`, and a capture on the server's link proving where each
// SYN came from. The inventory counts exactly the client's handshakes before and after each
// verification, and a verification alone does not move last_seen. nmap only ever targets the
// test's own namespace.

import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { chQuery } from '../support/clickhouse.js';
import {
  CLIENT_V4,
  CLIENT_V6,
  CONNECT_CLIENT,
  createMirrorLab,
  MULTI_PORT_SERVER,
  type MirrorLab,
  SERVER_V4,
  SERVER_V6,
} from '../support/netns.js';
import { BIN } from '../support/porthole.js';
import type { PortholeProc } from '../support/porthole-process.js';
import { startPipeline } from '../support/pipeline.js';

const SOURCE_V4 = '192.0.2.3';
const SOURCE_V6 = '2001:db8:5::3';

let lab: MirrorLab;
let env: AnalyzerEnv;
const procs: PortholeProc[] = [];
let capture: ChildProcess | null = null;
let seen = '';

beforeAll(() => {
  lab = createMirrorLab();
  // the verifier's own addresses, on the clients' own link, as docs/verification.md deploys them:
  // never chosen as a source by other programs (an IPv4 secondary, an IPv6 address deprecated
  // at once); nmap binds to them with -S
  lab.run(lab.cli, ['ip', 'addr', 'add', `${SOURCE_V4}/24`, 'dev', `ph${lab.tag}c`]);
  lab.run(lab.cli, ['ip', 'addr', 'add', `${SOURCE_V6}/64`, 'dev', `ph${lab.tag}c`, 'nodad', 'preferred_lft', '0']);
  env = analyzerEnv({
    PORTHOLE_VERIFY_ALLOWED_NETWORKS: `${SERVER_V4}/32,${SERVER_V6}/128`,
    PORTHOLE_VERIFY_NMAP_COMMAND: `ip,netns,exec,${lab.cli},nmap`,
    PORTHOLE_VERIFY_SOURCE_ADDRESSES: `${SOURCE_V4},${SOURCE_V6}`,
    PORTHOLE_VERIFY_HOST_TIMEOUT: '20s',
    PORTHOLE_VERIFY_BATCH_DELAY: '500ms',
  });
});

afterAll(async () => {
  for (const p of procs) await p.stop();
  capture?.kill('SIGKILL');
  lab?.cleanup();
  await env?.cleanup();
});

function connect(host: string, ports: number[]): void {
  lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, host, ...ports.map(String)]);
}

async function until<T>(f: () => T | undefined, ms: number, what: string): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(1000)) {
    const v = f();
    if (v !== undefined) return v;
  }
  const logs = procs.flatMap((p) => p.logs.filter((l) => !/status/.test(String(l.msg))).map((l) => JSON.stringify(l)));
  throw new Error(
    `not in time: ${what}; services: ${JSON.stringify(env.services())}; logs: ${logs.join('\n')}; capture: ${seen}`,
  );
}

type Row = { ip: string; port: number; handshakes: number; last_seen: number; verification?: { status: string } };
const find = (rows: Row[], ip: string, port: number) => rows.find((r) => r.ip === ip && r.port === port);

/**
 * Waits until the marker port (8081) of both servers shows `n` handshakes: Observations of one
 * server go through one partition in order, so everything the sensor saw before is stored too.
 */
function barrier(n: number): Promise<Row[]> {
  connect(SERVER_V4, [8081]);
  connect(SERVER_V6, [8081]);
  return until(
    () => {
      const rows = env.services() as Row[];
      return find(rows, SERVER_V4, 8081)?.handshakes === n && find(rows, SERVER_V6, 8081)?.handshakes === n
        ? rows
        : undefined;
    },
    60_000,
    `marker handshakes ${n}`,
  );
}

describe('verify.sourceAddresses', () => {
  it("the verifier's probes are not a client's handshakes", { timeout: 300_000 }, async () => {
    lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, '8080', '8081']);
    connect(SERVER_V4, []);
    // every SYN toward the server's port 8080, as the server's link carries it
    capture = spawn(
      'ip',
      ['netns', 'exec', lab.srv, 'tcpdump', '-n', '-l', '-i', `ph${lab.tag}s`, 'tcp dst port 8080'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    capture.stdout!.on('data', (d: Buffer) => (seen += d.toString()));

    const { verifier: ver } = await startPipeline(env, lab.monitor, procs, {
      PORTHOLE_TRACK_SCANNER_ADDRESSES: `${SOURCE_V4},${SOURCE_V6}`,
    });
    await sleep(1500);

    // 1. clients make 3 (IPv4) and 2 (IPv6) handshakes; the alerts make the verifier scan both
    connect(SERVER_V4, [8080, 8080, 8080]);
    connect(SERVER_V6, [8080, 8080]);
    await until(
      () => {
        const rows = env.services() as Row[];
        const ok = (ip: string) => find(rows, ip, 8080)?.verification?.status === 'verified_open';
        return ok(SERVER_V4) && ok(SERVER_V6) ? true : undefined;
      },
      120_000,
      'both verified',
    );
    const before = await barrier(1);
    expect(find(before, SERVER_V4, 8080)!.handshakes).toBe(3);
    expect(find(before, SERVER_V6, 8080)!.handshakes).toBe(2);

    // 2. a verification asked for with porthole verify, while the IPv4 client connects twice more
    const asked = new Promise<string>((resolve) => {
      const c = spawn(
        process.execPath,
        [BIN, 'verify', '--wait', '--timeout', '2m', `${SERVER_V4}:8080`, `[${SERVER_V6}]:8080`],
        {
          env: { ...process.env, ...env.env },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('close', () => resolve(out));
    });
    await until(() => (ver.logs.filter((l) => l.msg === 'verifying').length > 2 ? true : undefined), 30_000, 'scan');
    connect(SERVER_V4, [8080, 8080]);
    const out = await asked;
    expect(out).toMatch(new RegExp(`^${SERVER_V4.replace(/\./g, '\\.')}:8080 verified_open`, 'm'));
    expect(out).toMatch(/^\[2001:db8:5::1\]:8080 verified_open/m);
    const after = await barrier(2);
    expect(find(after, SERVER_V4, 8080)!.handshakes).toBe(5);
    expect(find(after, SERVER_V6, 8080)!.handshakes).toBe(2);
    expect(find(after, SERVER_V6, 8080)!.last_seen).toBe(find(before, SERVER_V6, 8080)!.last_seen);
    const [obs] = await chQuery<{ h: string }>(
      `SELECT sum(handshakes) AS h FROM ${env.db}.observations WHERE port = 8080`,
    );
    expect(Number(obs.h)).toBe(7);

    // the capture: nmap's SYNs (both scans, both families) came from the source addresses only
    await sleep(500);
    const syns = (from: string) =>
      seen.split('\n').filter((l) => l.includes(` ${from}.`) && l.includes('Flags [S]')).length;
    expect(syns(CLIENT_V4)).toBe(5);
    expect(syns(CLIENT_V6)).toBe(2);
    expect(syns(SOURCE_V4)).toBeGreaterThanOrEqual(2);
    expect(syns(SOURCE_V6)).toBeGreaterThanOrEqual(2);
    const cmds = ver.logs.filter((l) => l.msg === 'verifying').map((l) => String(l.cmd));
    expect(cmds.length).toBeGreaterThanOrEqual(4); // the marker ports are verified too
    for (const c of cmds)
      expect(c).toMatch(/^ip netns exec \S+ nmap -sT .* --unprivileged -S (192\.0\.2\.3|2001:db8:5::3) -- /);
  });
});
