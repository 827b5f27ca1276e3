// Sampled packets (sFlow) through the packet path: a sampled SYN+ACK proves a service with
// evidence "sampled" and estimated counts; RSTs, SYNs and other packets alone prove nothing;
// mirrored evidence of the same endpoint in a window wins. (The two-thread path is held to the
// same output in golden-sflow.test.ts.)

import { describe, expect, it } from 'vitest';
import { type Observation, validateObservation } from '../../schemas/observation.js';
import { SFLOW_DATAGRAM } from '../../sensor/decode/sflow.js';
import { createPipeline } from '../../sensor/pipeline/one-thread.js';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../../sensor/track/tracker.js';
import { type Bytes, eth, etherTypeOf, F } from '../support/frames.js';
import { conversation, ipOf, type Seg, T0 } from '../support/scenarios.js';
import { flowSample, rawHeader, sflowDatagram } from '../support/sflow.js';

/** A frame of the packet path: a mirrored segment, or an sFlow datagram sampling segments at `rate`. */
type Input = { seg: Seg } | { sampled: Seg[]; rate: number; ts: number };

const frameOf = (s: Seg): Bytes => {
  const p = ipOf(s);
  return eth(etherTypeOf(p), p);
};

function feed(
  onFrame: (b: Uint8Array, off: number, len: number, sec: number, nsec: number, lt: number) => void,
  inputs: Input[],
) {
  for (const i of inputs) {
    const ts = 'seg' in i ? i.seg.ts : i.ts;
    const [sec, nsec] = [Math.floor(ts / 1000), (ts % 1000) * 1e6];
    if ('seg' in i) {
      const f = frameOf(i.seg);
      onFrame(f, 0, f.length, sec, nsec, 1);
    } else {
      const d = sflowDatagram({
        samples: i.sampled.map((s, k) => flowSample({ rate: i.rate, seq: k + 1, records: [rawHeader(frameOf(s))] })),
      });
      onFrame(d, 0, d.length, sec, nsec, SFLOW_DATAGRAM);
    }
  }
}

function run(inputs: Input[], opts: Partial<TrackerOptions> = {}) {
  const out: Observation[] = [];
  const pipe = createPipeline({ ...DEFAULT_TRACKER_OPTIONS, windowMs: 0, ...opts }, (o) => out.push(o));
  feed(pipe.onFrame, inputs);
  pipe.finish();
  return { out, stats: pipe.stats() };
}

const synAckOf = (c: string, s: string, cport: number, sport: number, t: number): Seg =>
  conversation(c, s, cport, sport, t, 'open-no-ack')[1];

describe('sampled packets', () => {
  it('a sampled SYN+ACK is evidence "sampled": handshakes are rates summed, clients the destinations', () => {
    const { out, stats } = run([
      { sampled: [synAckOf('198.51.100.1', '192.0.2.1', 40000, 443, T0)], rate: 512, ts: T0 },
      { sampled: [synAckOf('198.51.100.2', '192.0.2.1', 40001, 443, T0 + 100)], rate: 1024, ts: T0 + 100 },
      { sampled: [synAckOf('198.51.100.1', '192.0.2.1', 40002, 443, T0 + 200)], rate: 1024, ts: T0 + 200 },
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      ip: '192.0.2.1',
      port: 443,
      evidence: 'sampled',
      handshakes: 512 + 1024 + 1024,
      sampling_rate: 1024,
      clients: 2,
      sample_clients: ['198.51.100.1', '198.51.100.2'],
      first_seen: T0,
      last_seen: T0 + 200,
      mss: 1400,
    });
    expect(validateObservation(out[0])).toEqual({ ok: true, value: out[0] });
    expect(stats.tracker).toMatchObject({ sampledSynAcks: 3, accepted: 0, syns: 0, flows: 0 });
    expect(stats.sampled).toMatchObject({ datagrams: 3, samples: 3, decoded: 3 });
  });

  it('sampled SYNs, RSTs and RST answers prove nothing; other packets of a known endpoint add clients', () => {
    const [syn, synack, , , fromServer] = conversation('198.51.100.1', '192.0.2.1', 40000, 80, T0, 'open');
    const [, rst] = conversation('198.51.100.1', '192.0.2.2', 40000, 3306, T0, 'closed');
    const toOther = { ...fromServer, dst: '198.51.100.9', dport: 50000, ts: T0 + 2 };
    const fromUnknown = { ...fromServer, src: '192.0.2.3', dst: '198.51.100.8', ts: T0 + 3 };
    const { out } = run([
      { sampled: [syn, rst, { ...synack, flags: F.SYN | F.ACK | F.RST }], rate: 100, ts: T0 },
      { sampled: [toOther, fromUnknown], rate: 100, ts: T0 + 1 }, // before the endpoint is known
      { sampled: [synack], rate: 100, ts: T0 + 2 },
      { sampled: [toOther, fromUnknown], rate: 100, ts: T0 + 3 },
    ]);
    expect(out.map((o) => [o.ip, o.port, o.evidence, o.handshakes, o.clients])).toEqual([
      ['192.0.2.1', 80, 'sampled', 100, 2],
    ]);
    expect(out[0].sample_clients).toEqual(['198.51.100.1', '198.51.100.9']);
    expect(out[0].last_seen).toBe(T0 + 2); // the last SYN+ACK, not the last packet
  });

  it('mirrored evidence of the same endpoint wins: exact counts, no rate, sampled clients still counted', () => {
    const conv = conversation('198.51.100.1', '192.0.2.1', 40000, 80, T0, 'open');
    const { out } = run([
      ...conv.map((seg) => ({ seg })),
      { sampled: [synAckOf('198.51.100.5', '192.0.2.1', 40009, 80, T0 + 2)], rate: 1000, ts: T0 + 2 },
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ evidence: 'handshake', handshakes: 1, clients: 2, sampling_rate: null });
    expect(validateObservation(out[0]).ok).toBe(true);
  });

  it("the scanner's own connections are not counted from samples either", () => {
    const { out, stats } = run([{ sampled: [synAckOf('203.0.113.9', '192.0.2.1', 40000, 80, T0)], rate: 10, ts: T0 }], {
      scannerAddresses: ['203.0.113.9'],
    });
    expect(out).toHaveLength(0);
    expect(stats.tracker).toMatchObject({ scanner: 1, sampledSynAcks: 0 });
  });

  it('windows: samples fall in the window of their datagram, and the estimate is per window', () => {
    const inputs: Input[] = [];
    for (let i = 0; i < 6; i++) {
      const t = T0 + i * 1000;
      inputs.push({ sampled: [synAckOf(`2001:db8:5::${i + 1}`, '2001:db8::1', 40000 + i, 22, t)], rate: 256, ts: t });
    }
    const { out } = run(inputs, { windowMs: 2000 });
    expect(out.map((o) => [o.window_start - T0, o.handshakes, o.clients, o.evidence])).toEqual([
      [0, 512, 2, 'sampled'],
      [2000, 512, 2, 'sampled'],
      [4000, 512, 2, 'sampled'],
    ]);
  });
});
