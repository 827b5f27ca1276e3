// Golden captures: `porthole replay` must find exactly the endpoints tshark finds (SYN+ACK
// senders, innermost IP), with the same number of distinct handshakes and the same evidence.
// Real-traffic captures come from test/golden/make-netns-captures.sh; the rest are generated
// (scenarios.ts, scenarios-framings.ts), some with the options replay and tshark need to read them.
// Replay tracks in a second thread by default: the one-thread path (the live sensor's) must give
// the same output and the same summary on every capture.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { porthole, replayJson } from '../support/porthole.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { conversation, ipOf, scenarios, type Seg, T0 } from '../support/scenarios.js';
import { framingScenarios } from '../support/scenarios-framings.js';
import { tsharkEndpoints } from '../support/tshark.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-golden-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const goldenDir = new URL('../golden/', import.meta.url).pathname;
const recorded = readdirSync(goldenDir)
  .filter((f) => /\.pcap(ng)?$/.test(f))
  .map((f) => join(goldenDir, f));
interface Capture {
  path: string;
  replay: string[];
  tshark: string[];
}
const generated: Capture[] = [...scenarios(), ...framingScenarios()].map((s) => {
  const path = join(dir, s.name);
  writeFileSync(path, s.file);
  return { path, replay: s.replay ?? [], tshark: s.tshark ?? [] };
});
const all: Capture[] = [...recorded.map((path) => ({ path, replay: [], tshark: [] })), ...generated];

function replayEndpoints(file: string, opts: string[]): Map<string, { handshakes: number; evidence: string }> {
  const m = new Map<string, { handshakes: number; evidence: string }>();
  for (const o of replayJson([file], ['--no-progress', ...opts])) {
    m.set(`${o.ip}|${o.port}`, { handshakes: o.handshakes as number, evidence: o.evidence as string });
  }
  return m;
}

describe('replay matches tshark', () => {
  it('has golden captures of real traffic', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(2);
  });
  for (const c of all) {
    it(c.path.split('/').pop()!, () => {
      const expected = tsharkEndpoints(c.path, c.tshark);
      expect(expected.size).toBeGreaterThan(0);
      const got = replayEndpoints(c.path, c.replay);
      expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
    });
  }
});

describe('replay: one thread and two threads agree', () => {
  const summary = (stderr: string): string =>
    stderr
      .split('\n')
      .filter((l) => !l.startsWith('replay:'))
      .join('\n');
  for (const [name, extra] of [
    ['whole capture', []],
    ['1 s windows, 50 flows at most', ['--window', '1s', '--max-flows', '50', '--syn-timeout', '2s']],
  ] as const) {
    it(`on every golden capture (${name})`, () => {
      for (const { path: file, replay } of all) {
        const one = porthole(['replay', '--json', '--no-progress', '--threads', '1', ...extra, ...replay, file]);
        const two = porthole(['replay', '--json', '--no-progress', '--threads', '2', ...extra, ...replay, file]);
        expect(one.status, file).toBe(0);
        expect(two.stdout, file).toBe(one.stdout);
        expect(summary(two.stderr), file).toBe(summary(one.stderr));
      }
    });
  }

  it('a skipped segment that moves the sweep clock is forwarded as a time (a SYN answered just inside its timeout)', () => {
    // one thread: the data segment at +29.9 s sweeps (nothing has expired yet) and the next
    // sweep is not due before the SYN+ACK at +30.05 s, so the SYN is still there; the second
    // thread must see the same sweep, or it sweeps at +30.05 s and expires the SYN first
    const [syn, synack, ack] = conversation('198.51.100.1', '192.0.2.1', 40000, 80, T0, 'open');
    const data: Seg = {
      src: '198.51.100.9',
      dst: '192.0.2.9',
      sport: 50000,
      dport: 443,
      seq: 1,
      ack: 1,
      flags: 0x18,
      ts: T0 + 29_900,
      payload: new Uint8Array(20),
    };
    const segs = [syn, data, { ...synack, ts: T0 + 30_050 }, { ...ack, ts: T0 + 30_060 }];
    const f = join(dir, 'sweep-tick.pcap');
    writeFileSync(
      f,
      pcapFile(
        segs.map((g) => {
          const ip = ipOf(g);
          return { ts: g.ts, data: eth(etherTypeOf(ip), ip) };
        }),
        { linktype: 1 },
      ),
    );
    for (const threads of ['1', '2']) {
      const r = porthole(['replay', '--json', '--no-progress', '--threads', threads, '--syn-timeout', '30s', f]);
      expect(JSON.parse(r.stdout).evidence, `threads ${threads}`).toBe('handshake');
      expect(r.stderr, `threads ${threads}`).toMatch(/unanswered 0;/);
    }
  });
});
