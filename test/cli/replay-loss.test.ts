// `porthole replay` on captures whose mirror lost handshake packets: the capture-loss estimate
// in the summary and in the Observations counts exactly the SYN+ACKs and SYNs taken out, with
// one thread and with two (the decoding thread's ACK gate must pass the ACKs that tell).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { porthole } from '../support/porthole.js';
import { ipOf, lossyTraffic } from '../support/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-loss-'));
const GENERATE = new URL('../../dist/benchmarks/generate.js', import.meta.url).pathname;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function replay(file: string, extra: string[]) {
  const r = porthole(['replay', '--json', '--no-progress', ...extra, file]);
  expect(r.status, r.stderr).toBe(0);
  const obs = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { window_start: number; loss_checked: number; loss_missed: number });
  const line = r.stderr.split('\n').find((l) => l.includes('capture loss:')) ?? '';
  return { obs, line };
}

const lossLine = (syn: number, synack: number, checked: number): string =>
  `  capture loss: ${((100 * (syn + synack)) / (2 * checked)).toFixed(2)}% (${syn} SYN and ${synack} SYN+ACK missed in ${checked} checked handshakes)`;

describe('replay: capture loss', () => {
  const lossy = lossyTraffic();
  const file = join(dir, 'lossy.pcap');
  writeFileSync(
    file,
    pcapFile(
      lossy.segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
      { linktype: 1 },
    ),
  );

  for (const threads of ['1', '2']) {
    it(`counts the SYN+ACKs and SYNs dropped from a generated capture (${threads} thread(s))`, () => {
      expect([lossy.missedSynAck, lossy.missedSyn]).toEqual([9, 5]);
      const { obs, line } = replay(file, ['--threads', threads]);
      expect(line).toBe(lossLine(lossy.missedSyn, lossy.missedSynAck, lossy.checked));
      for (const o of obs) expect([o.loss_checked, o.loss_missed]).toEqual([lossy.checked, 14]);
    });

    it(`per window, the windows' counts add up to the whole (${threads} thread(s))`, () => {
      const { obs } = replay(file, ['--threads', threads, '--window', '1s']);
      const windows = new Map(obs.map((o) => [o.window_start, [o.loss_checked, o.loss_missed]]));
      expect(windows.size).toBe(6); // every window of the 6 s has endpoints
      const sum = [...windows.values()].reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
      expect(sum).toEqual([lossy.checked, lossy.missedSyn + lossy.missedSynAck]);
    });
  }

  it('counts the SYN+ACKs taken out of a capture of real traffic (every other one)', () => {
    const golden = new URL('../golden/netns-tshark.pcapng', import.meta.url).pathname;
    const synacks = execFileSync(
      'tshark',
      ['-r', golden, '-Y', 'tcp.flags.syn==1 && tcp.flags.ack==1', '-T', 'fields', '-e', 'frame.number'],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
    expect(synacks.length).toBeGreaterThanOrEqual(4);
    const dropped = synacks.filter((_, i) => i % 2 === 0);
    const out = join(dir, 'real-lossy.pcapng');
    execFileSync('editcap', [golden, out, ...dropped]);
    const whole = replay(golden, []).line;
    expect(whole).toBe(lossLine(0, 0, synacks.length));
    for (const threads of ['1', '2']) {
      expect(replay(out, ['--threads', threads]).line).toBe(lossLine(0, dropped.length, synacks.length));
    }
  });

  it('on a larger capture (the benchmark generator, lossy): one thread and two agree, and count what was left out', () => {
    // enough segments that the decoding thread gates ACKs against SYNs the tracker has processed,
    // not only against SYNs still in flight
    const big = join(dir, 'lossy-300k.pcap');
    const gen = execFileSync(process.execPath, [GENERATE, big, '300000', 'lossy'], { encoding: 'utf8' });
    const [, syns, synacks] = /left out (\d+) SYNs and (\d+) SYN\+ACKs/.exec(gen)!.map(Number);
    expect(synacks).toBeGreaterThan(250);
    const one = porthole(['replay', '--json', '--no-progress', '--threads', '1', big]);
    const two = porthole(['replay', '--json', '--no-progress', '--threads', '2', big]);
    expect(two.stdout).toBe(one.stdout);
    const line = (r: { stderr: string }) => r.stderr.split('\n').find((l) => l.includes('capture loss:'));
    expect(line(two)).toBe(line(one));
    // the whole file is within the tracker's warm-up (one packet per microsecond): no SYN is checked
    expect(syns).toBeGreaterThan(0);
    expect(line(one)).toMatch(new RegExp(`\\(0 SYN and ${synacks} SYN\\+ACK missed in `));
  });
});
