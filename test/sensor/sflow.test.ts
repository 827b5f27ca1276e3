// The sFlow decoder: each fixture (with tshark's reading above it, in sflow-fixtures.ts) walks to
// the samples and the outcome it was built for; tshark reads the same TCP headers in the good
// ones; nothing past the captured length changes what is read; the packet path counts each
// datagram once and each sampled header apart.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SFLOW_DATAGRAM } from '../../sensor/decode/sflow.js';
import { DecodeCounts } from '../../sensor/pipeline/one-thread.js';
import { hex, pcapFile } from '../support/frames.js';
import { sflowFrame, walkSflow as walk } from '../support/sflow.js';
import { sflowFixtures } from './sflow-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-sflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SflowReader', () => {
  for (const f of sflowFixtures) {
    it(f.name, () => {
      const b = hex(f.hex);
      const w = walk(b, 0, b.length, f.framing);
      expect(w.status).toBe(f.expect.status);
      expect(w.samples).toEqual(f.expect.samples);
      expect(w.counterSamples).toBe(f.expect.counterSamples);
    });
  }

  it('tshark reads the same TCP headers and sampling rates in the good datagrams', () => {
    const good = sflowFixtures.filter((f) => f.expect.status === 'sflow');
    const file = join(dir, 'good.pcap');
    const frames = good.map((f) => (f.framing === 'frame' ? hex(f.hex) : sflowFrame(hex(f.hex))));
    writeFileSync(
      file,
      pcapFile(
        frames.map((data, i) => ({ ts: 1_767_225_600_000 + i, data })),
        { linktype: 1 },
      ),
    );
    const fields = ['frame.protocols', 'sflow.flow_sample.sampling_rate', 'tcp.srcport', 'tcp.dstport', 'tcp.flags'];
    const r = spawnSync(
      'tshark',
      ['-r', file, '-T', 'fields', '-E', 'occurrence=a', ...fields.flatMap((x) => ['-e', x])],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(good.length);
    good.forEach((f, i) => {
      const [protos, rates, sports, dports, flags] = lines[i].split('\t').map((v) => (v ? v.split(',') : []));
      // tshark follows a sampled sFlow datagram (we do not): compare the outer datagram's samples
      if (protos[0].split(':').filter((x) => x === 'sflow').length > 1) return;
      const ok = f.expect.samples.filter((s) => s.reason === 'ok');
      expect(
        sports.map((_, k) => [Number(sports[k]), Number(dports[k])]),
        f.name,
      ).toEqual(ok.map((s) => [s.sport, s.dport]));
      // tshark gives no flags for a TCP header cut before its options (we read the 14 bytes we need)
      if (flags.length > 0) expect(flags.map(Number), f.name).toEqual(ok.map((s) => s.flags));
      else if (ok.length > 0) expect(f.name).toMatch(/cut/);
      // one header per flow sample in these fixtures: as many rates, and each TCP one's among them
      expect(rates, f.name).toHaveLength(f.expect.samples.length);
      for (const k of ok) expect(rates.map(Number), f.name).toContain(k.rate);
    });
  });

  it('reads nothing past the captured length, whatever follows it in the buffer', () => {
    let cuts = 0;
    for (const f of sflowFixtures) {
      const b = hex(f.hex);
      for (let cut = 0; cut <= b.length; cut++) {
        const exact = walk(b.slice(0, cut), 0, cut, f.framing);
        for (const fill of [0x00, 0xff, 0x41]) {
          const big = new Uint8Array(cut + 64 + 7).fill(fill);
          big.set(b.subarray(0, cut), 7);
          expect(walk(big, 7, cut, f.framing), `${f.name} cut at ${cut}`).toEqual(exact);
        }
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThan(1000);
  });

  it('the packet path counts each datagram once, under sflow or its error, and each sampled header apart', () => {
    const d = new DecodeCounts();
    let segments = 0;
    for (const f of sflowFixtures) {
      const b = hex(f.hex);
      expect(d.frame(b, 0, b.length, 1, 0, f.framing === 'frame' ? 1 : SFLOW_DATAGRAM)).toBe(false);
      while (d.nextSample()) segments++;
    }
    const s = d.stats({} as never);
    const all = sflowFixtures.flatMap((f) => f.expect.samples);
    const byStatus: Record<string, number> = {};
    for (const f of sflowFixtures) byStatus[f.expect.status] = (byStatus[f.expect.status] ?? 0) + 1;
    expect(s.packets).toBe(sflowFixtures.length);
    expect(s.decoded).toBe(0);
    expect(s.reasons).toEqual(byStatus);
    expect(s.sampled.datagrams).toBe(sflowFixtures.length);
    expect(s.sampled.samples).toBe(all.length);
    expect(s.sampled.decoded).toBe(segments);
    expect(segments).toBe(all.filter((x) => x.reason === 'ok').length);
    expect(s.sampled.counterSamples).toBe(sflowFixtures.reduce((n, f) => n + f.expect.counterSamples, 0));
  });
});
