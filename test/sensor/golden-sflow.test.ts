// Golden sFlow captures: the frames of the real-traffic golden captures (and of the generated
// base traffic), sampled into sFlow datagrams as a switch would send them to its collector (flow
// and expanded flow samples, raw Ethernet headers cut at 128 bytes, counter samples between,
// a sampling rate per datagram), written as UDP frames to port 6343. `porthole replay` must
// find exactly the endpoints whose SYN+ACKs tshark finds inside the samples, each with evidence
// "sampled" and the sampling rates of its SYN+ACK samples summed as its handshakes. Replay in
// one thread and in two must agree, on these and on a capture mixing mirrored and sampled traffic.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../sensor/capture/file-source.js';
import { type Bytes, eth, etherTypeOf, pcapFile, type Rec } from '../support/frames.js';
import { porthole, replayJson } from '../support/porthole.js';
import { baseTraffic, ipOf } from '../support/scenarios.js';
import { counterSample, flowSample, rawHeader, sflowDatagram, sflowFrame } from '../support/sflow.js';
import { tsharkSampledEndpoints } from '../support/tshark.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-golden-sflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Frame {
  ts: number;
  data: Bytes;
}

async function framesOf(file: string): Promise<Frame[]> {
  const out: Frame[] = [];
  const r = await readCaptureFile(file, (b, off, caplen, sec, nsec, linktype) => {
    if (linktype !== 1) throw new Error(`${file}: link type ${linktype}, not Ethernet`);
    out.push({ ts: sec * 1000 + nsec / 1e6, data: b.slice(off, off + caplen) });
  });
  expect(r.frames).toBe(out.length);
  return out;
}

/**
 * The frames sampled into datagrams: three of every four frames, four samples per datagram, a
 * rate per datagram (in turn 128, 256, 512), flow and expanded flow samples in turn, a counter
 * sample in every other datagram; each datagram sent at the time of its last sample.
 */
function sampled(frames: Frame[], agent = '192.0.2.250'): Rec[] {
  const picked = frames.filter((_, i) => i % 4 !== 3);
  const recs: Rec[] = [];
  for (let i = 0, n = 0; i < picked.length; i += 4, n++) {
    const group = picked.slice(i, i + 4);
    const rate = [128, 256, 512][n % 3];
    const samples = group.map((f, k) =>
      flowSample({ rate, seq: i + k + 1, expanded: (i + k) % 2 === 1, records: [rawHeader(f.data)] }),
    );
    if (n % 2 === 0) samples.splice(1, 0, counterSample({ expanded: n % 4 === 0 }));
    const d = sflowDatagram({ agent, seq: n + 1, samples });
    recs.push({ ts: group[group.length - 1].ts, data: sflowFrame(d, { agent }) });
  }
  return recs;
}

const goldenDir = new URL('../golden/', import.meta.url).pathname;
const recorded = readdirSync(goldenDir)
  .filter((f) => /\.pcap(ng)?$/.test(f))
  .map((f) => join(goldenDir, f));
const base = baseTraffic().map((s) => {
  const p = ipOf(s);
  return { ts: s.ts, data: eth(etherTypeOf(p), p) };
});

describe('replay of sFlow datagrams matches tshark inside the samples', () => {
  const sources: Array<[string, () => Promise<Frame[]>]> = [
    ...recorded.map((f): [string, () => Promise<Frame[]>] => [f.split('/').pop()!, () => framesOf(f)]),
    ['generated base traffic', async () => base],
  ];
  for (const [name, frames] of sources) {
    it(name, async () => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}-sflow.pcap`);
      writeFileSync(file, pcapFile(sampled(await frames()), { linktype: 1 }));
      const expected = tsharkSampledEndpoints(file);
      expect(expected.size).toBeGreaterThan(0);
      const got = new Map<string, { handshakes: number; evidence: string }>();
      for (const o of replayJson([file], ['--no-progress'])) {
        got.set(`${o.ip}|${o.port}`, { handshakes: o.handshakes as number, evidence: o.evidence as string });
        expect(o.sampling_rate).toBeGreaterThanOrEqual(128);
      }
      expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
    });
  }
});

describe('replay of sFlow datagrams: one thread and two threads agree', () => {
  it('on a capture mixing mirrored and sampled traffic, with and without windows', () => {
    // the base traffic mirrored; sampled by a switch (IPv6 agent: the same endpoints, so the
    // mirrored evidence wins); and sampled again with each IPv4 source moved up by 100 (other
    // endpoints: sampled only)
    const mirrored: Rec[] = base.map((f) => ({ ts: f.ts, data: f.data }));
    const shifted = base.map((f) => {
      const data = Uint8Array.from(f.data);
      if (etherTypeOf(data.subarray(14)) === 0x0800) data[14 + 15] += 100; // IPv4 source's last byte
      return { ts: f.ts + 3, data };
    });
    const recs = [...mirrored, ...sampled(shifted), ...sampled(base, '2001:db8:ff::2')].sort((a, b) => a.ts - b.ts);
    const file = join(dir, 'mixed.pcap');
    writeFileSync(file, pcapFile(recs, { linktype: 1 }));
    const summary = (stderr: string): string =>
      stderr
        .split('\n')
        .filter((l) => !l.startsWith('replay:'))
        .join('\n');
    for (const extra of [[], ['--window', '1s', '--max-flows', '50', '--syn-timeout', '2s']]) {
      const one = porthole(['replay', '--json', '--no-progress', '--threads', '1', ...extra, file]);
      const two = porthole(['replay', '--json', '--no-progress', '--threads', '2', ...extra, file]);
      expect(one.status, one.stderr).toBe(0);
      expect(two.stdout).toBe(one.stdout);
      expect(summary(two.stderr)).toBe(summary(one.stderr));
      const evidence = new Set(
        one.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).evidence),
      );
      expect(evidence).toContain('sampled');
      expect(evidence).toContain('handshake');
      expect(one.stderr).toMatch(/sflow: \d+ datagrams, \d+ sampled headers/);
    }
  });
});
