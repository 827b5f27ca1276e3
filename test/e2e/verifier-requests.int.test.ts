// The verifier for a new user, all real (nmap against servers on loopback, Kafka, ClickHouse):
// started with verify.allowedNetworks empty it refuses; `porthole verify` says so; restarted
// with the network allowed it re-queues what it refused and verifies it (a refusal does not
// count toward verify.minInterval); `porthole verify --wait` verifies again at once and prints
// the verdict; SIGTERM during a scan kills nmap, logs a stop line, and leaves the endpoint
// pending for the next start; a request made while no verifier runs is taken by the next one.

import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { chQuery } from '../support/clickhouse.js';
import { kafkaClient } from '../support/kafka.js';
import { BIN } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];
const servers: Server[] = [];
const held: Socket[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
  for (const c of held) c.destroy();
  for (const s of servers) s.close();
  await env?.cleanup();
});

function listen(onConn: (c: Socket) => void, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer(onConn);
    servers.push(s);
    s.listen(0, host, () => resolve((s.address() as { port: number }).port));
  });
}

/** `porthole ARGS` with the test's environment, without blocking the event loop. */
function cli(
  args: string[],
  extra: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...extra }, stdio: 'pipe' });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const kill = setTimeout(() => c.kill('SIGKILL'), 120_000);
    c.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, out, err });
    });
  });
}

async function until<T>(f: () => Promise<T | undefined>, ms: number): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(500)) {
    const v = await f();
    if (v !== undefined) return v;
  }
  throw new Error('condition not met in time');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('verifier, from a first start that refuses everything', () => {
  it('refuses, re-queues when allowed, verifies on request, stops promptly', { timeout: 300_000 }, async () => {
    const ssh = await listen((c) => c.end('SSH-2.0-OpenSSH_8.0\r\n'));
    // accepts and says nothing (-sV waits); on a host of its own, so no other port is batched with it
    const silent = await listen((c) => held.push(c), '127.0.0.2');
    env = analyzerEnv({ PORTHOLE_VERIFY_BATCH_DELAY: '200ms', PORTHOLE_VERIFY_HOST_TIMEOUT: '90s' });
    const e = env;
    const allowed = { ...e.env, PORTHOLE_VERIFY_ALLOWED_NETWORKS: '127.0.0.0/30' };
    const rows = (port: number) =>
      chQuery<{ status: string; request: string; reason: string; product: string }>(
        `SELECT status, request, reason, product FROM ${e.db}.verifications WHERE port = ${port} ORDER BY ts`,
      );
    const start = async (vars: Record<string, string>) => {
      const p = startPorthole(['verifier'], vars);
      procs.push(p);
      await p.waitFor((l) => l.msg === 'verifier running', 60_000);
      return p;
    };

    // 1. as the README starts it: nothing allowed, so the new service is refused
    const first = await start(e.env);
    const producer = kafkaClient().producer();
    await producer.connect();
    await producer.send({
      topic: e.alertsTopic,
      messages: [
        {
          value: JSON.stringify({
            porthole: { alert_id: 'a', kind: 'new_service', ip: '127.0.0.1', proto: 'tcp', port: ssh },
          }),
        },
      ],
    });
    await producer.disconnect();
    await until(async () => ((await rows(ssh)).some((r) => r.status === 'refused') ? true : undefined), 60_000);
    const refused = await cli(['verify', `127.0.0.1:${ssh}`], e.env);
    expect(refused.out).toBe(`127.0.0.1:${ssh} refused: outside verify.allowedNetworks (not scanned)\n`);
    expect(refused.code).toBe(1);
    expect(await first.stop()).toBe(0);
    expect(first.logs.map((l) => l.msg)).toContain('verifier stopped');

    // 2. restarted with the network allowed: the refused endpoint is verified (minInterval 1h)
    const second = await start(allowed);
    const requeued = await second.waitFor(
      (l) => l.msg === 'refused before, in verify.allowedNetworks now: re-queued',
      5000,
    );
    expect(requeued.endpoints).toBe(1);
    await until(async () => ((await rows(ssh)).some((r) => r.status === 'verified_open') ? true : undefined), 60_000);

    // 3. asked again at once: verified again despite verify.minInterval, the verdict printed
    const asked = await cli(['verify', `127.0.0.1:${ssh}`, '--wait', '--timeout', '90s'], allowed);
    // `queued` shows only when a poll of the CLI falls between the verifier taking the request and
    // its verdict (a fast nmap run on a busy machine can fall between two polls)
    expect(asked.out.replace(`127.0.0.1:${ssh} queued for verification\n`, '')).toBe(
      `127.0.0.1:${ssh} verified_open ssh OpenSSH 8.0\n`,
    );
    expect(asked.code).toBe(0);
    expect((await rows(ssh)).filter((r) => r.status === 'verified_open')).toHaveLength(2);
    expect((await rows(ssh)).filter((r) => r.request !== '').map((r) => r.status)).toEqual(['refused', 'pending']);

    // 4. SIGTERM during a scan that would take long: nmap killed, a stop line, the endpoint pending
    const taken = await cli(['verify', `127.0.0.2:${silent}`], allowed);
    expect(taken.out).toBe(`127.0.0.2:${silent} queued for verification\n`);
    const running = await second.waitFor(
      (l) => l.msg === 'verifying' && String(l.cmd).includes(`-p ${silent} `),
      30_000,
    );
    const nmap = await until(async () => nmapPid(silent), 10_000);
    await sleep(500);
    expect(await second.stop()).toBe(0);
    expect(running).toBeTruthy();
    expect(alive(nmap)).toBe(false);
    const msgs = second.logs.map((l) => l.msg);
    expect(msgs).toContain('verifier stopping');
    expect(msgs).toContain('verification interrupted: stays pending');
    expect(msgs.at(-1)).toBe('verifier stopped');
    expect((await rows(silent)).map((r) => r.status)).toEqual(['pending']);

    // 5. a request while no verifier runs: said so; the next verifier takes it (and resumes the pending one)
    const waiting = await cli(['verify', '--json', `127.0.0.1:${ssh}`], allowed);
    const w = JSON.parse(waiting.out) as { state: string; request: string };
    expect(w.state).toBe('waiting');
    expect(waiting.code).toBe(0);
    const third = await start(allowed);
    expect((await third.waitFor((l) => l.msg === 'resumed pending verifications', 5000)).pending).toBe(1);
    await until(async () => ((await rows(ssh)).some((r) => r.request === w.request) ? true : undefined), 30_000);
    await until(
      async () => ((await rows(ssh)).filter((r) => r.status === 'verified_open').length === 3 ? true : undefined),
      60_000,
    );
    expect(await third.stop()).toBe(0);
  });

  it('a broker nobody listens on: one line naming it, exit 1, nothing else printed', { timeout: 60_000 }, async () => {
    env ??= analyzerEnv();
    const port = await listen(() => {});
    servers.pop()?.close(); // the port is free again: nothing listens there
    const r = await cli(['verify', '127.0.0.1:22', '--brokers', `127.0.0.1:${port}`], env.env);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(
      new RegExp(`^porthole: kafka 127\\.0\\.0\\.1:${port}: request not sent: .*check kafka\\.brokers`),
    );
    expect(r.code).toBe(1);
  });
});

/** The pid of the nmap process scanning 127.0.0.2:`port`, if one runs. */
async function nmapPid(port: number): Promise<number | undefined> {
  const ps = await new Promise<string>((resolve) => {
    const c = spawn('ps', ['-eo', 'pid=,args='], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', () => resolve(out));
  });
  const line = ps
    .split('\n')
    .find((l) => /\bnmap\b/.test(l) && l.includes(` -p ${port} `) && l.trim().endsWith('127.0.0.2'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}
