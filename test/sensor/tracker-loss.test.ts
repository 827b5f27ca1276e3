// Capture loss estimated from the handshakes (tracker.ts): crafted conversations with chosen
// segments left out, as a lossy mirror would leave them out.

import { describe, expect, it } from 'vitest';
import { captureLoss, type Observation, validateObservation } from '../../schemas/observation.js';
import { createPipeline } from '../../sensor/pipeline/one-thread.js';
import { DEFAULT_TRACKER_OPTIONS, LOSS_WARMUP_MS, type TrackerOptions } from '../../sensor/track/tracker.js';
import { eth, etherTypeOf, F } from '../support/frames.js';
import { conversation, ipOf, type Kind, type Seg, T0 } from '../support/scenarios.js';

function run(segs: Seg[], opts: Partial<TrackerOptions> = {}) {
  const out: Observation[] = [];
  const pipe = createPipeline({ ...DEFAULT_TRACKER_OPTIONS, windowMs: 0, ...opts }, (o) => out.push(o));
  for (const s of [...segs].sort((a, b) => a.ts - b.ts)) {
    const p = ipOf(s);
    const f = eth(etherTypeOf(p), p);
    pipe.onFrame(f, 0, f.length, Math.floor(s.ts / 1000), (s.ts % 1000) * 1e6, 1);
  }
  pipe.finish();
  for (const o of out) expect(validateObservation(o)).toEqual({ ok: true, value: o });
  return { out, stats: pipe.stats().tracker };
}

const isSynAck = (s: Seg): boolean => s.flags === (F.SYN | F.ACK);
const isSyn = (s: Seg): boolean => s.flags === F.SYN;

/** `n` connections to 192.0.2.1:80, one every 10 ms from `t0`, of the given kind. */
function connections(n: number, t0: number, kind: Kind = 'open', port = 80): Seg[][] {
  return Array.from({ length: n }, (_, i) =>
    conversation(`198.51.100.${1 + (i % 200)}`, '192.0.2.1', 20000 + i, port, t0 + i * 10, kind),
  );
}

// past the warm-up, so that a missing SYN counts
const LATE = T0 + LOSS_WARMUP_MS + 1000;
const clock = (t: number): Seg => ({
  src: '203.0.113.9',
  dst: '203.0.113.8',
  sport: 1,
  dport: 2,
  seq: 1,
  ack: 1,
  flags: F.ACK,
  ts: t,
  payload: new Uint8Array(1),
});

describe('capture loss from handshakes', () => {
  it('complete handshakes are checked and none missed', () => {
    const { out, stats } = run(connections(20, T0).flat());
    expect(stats).toMatchObject({ lossChecked: 20, missedSyn: 0, missedSynAck: 0, completed: 20 });
    expect(out[0]).toMatchObject({ loss_checked: 20, loss_missed: 0 });
  });

  it('a client ACK whose SYN was seen but not its SYN+ACK counts one missed SYN+ACK (not an unanswered SYN)', () => {
    const conns = connections(20, T0);
    const lossy = conns.flatMap((c, i) => (i % 5 === 0 ? c.filter((s) => !isSynAck(s)) : c));
    const { out, stats } = run(lossy);
    expect(stats).toMatchObject({ lossChecked: 20, missedSynAck: 4, missedSyn: 0, accepted: 16, unanswered: 0 });
    expect(out[0]).toMatchObject({ handshakes: 16, loss_checked: 20, loss_missed: 4 });
    expect(captureLoss(out[0].loss_checked, out[0].loss_missed)).toBe(4 / 40);
  });

  it('a SYN scan: the client RST of a missed SYN+ACK counts too (a RST only answers a SYN+ACK)', () => {
    const conns = connections(10, T0, 'scan-open');
    const lossy = conns.flatMap((c, i) => (i < 3 ? c.filter((s) => !isSynAck(s)) : c));
    const { stats } = run(lossy);
    expect(stats).toMatchObject({ lossChecked: 10, missedSynAck: 3, unanswered: 0, accepted: 7 });
  });

  it('a client ACK answering a SYN+ACK whose SYN was not seen counts one missed SYN, once past the warm-up', () => {
    const early = connections(5, T0); // within the warm-up: their SYN may predate the capture
    const late = connections(5, LATE);
    const lossy = [...early, ...late].flatMap((c) => c.filter((s) => !isSyn(s)));
    const { stats } = run(lossy);
    expect(stats).toMatchObject({ lossChecked: 5, missedSyn: 5, missedSynAck: 0, oneSided: 10 });
  });

  it('counts a retransmitted or SPAN-duplicated closing ACK once', () => {
    const conns = connections(4, LATE);
    const segs = conns.flatMap((c, i) => {
      const kept = c.filter((s) => (i === 0 ? !isSynAck(s) : i === 1 ? !isSyn(s) : true));
      return kept.flatMap((s) => [s, { ...s, ts: s.ts + 0.01 }]);
    });
    const { stats } = run([clock(T0), ...segs]);
    expect(stats).toMatchObject({ lossChecked: 4, missedSynAck: 1, missedSyn: 1 });
  });

  it('a one-sided mirror (servers only) checks nothing: the loss is unknown, not zero', () => {
    const servers = connections(10, LATE).flatMap((c) => c.filter((s) => s.src === '192.0.2.1'));
    const { out, stats } = run([clock(T0), ...servers]);
    expect(stats).toMatchObject({ lossChecked: 0, accepted: 10 });
    expect(captureLoss(out[0].loss_checked, out[0].loss_missed)).toBe(null);
  });

  it('a mirror of the clients only misses every SYN+ACK', () => {
    const clients = connections(10, T0).flatMap((c) => c.filter((s) => s.dst === '192.0.2.1'));
    const { out, stats } = run(clients);
    expect(stats).toMatchObject({ lossChecked: 10, missedSynAck: 10, accepted: 0, unanswered: 0 });
    expect(out).toEqual([]);
  });

  it('neither refused nor unanswered SYNs are checked', () => {
    const { stats } = run([...connections(5, T0, 'closed'), ...connections(5, T0 + 100, 'silent', 81)].flat());
    expect(stats).toMatchObject({ lossChecked: 0, rejected: 5, unanswered: 5 });
  });

  it('an ACK of data with the SYN+ACK seen is not a check (ack number: not server ISN + 1)', () => {
    const [syn, synack, , data] = conversation('198.51.100.1', '192.0.2.1', 40000, 80, T0, 'open');
    const pureAckOfData: Seg = { ...data, flags: F.ACK, payload: undefined, ack: (synack.seq + 50) >>> 0 };
    const { stats } = run([syn, synack, pureAckOfData]);
    expect(stats).toMatchObject({ lossChecked: 0, completed: 0 });
  });

  it('each window carries the checks made in it, by packet time, for all its endpoints', () => {
    const first = connections(10, T0 + 100); // window [T0, T0 + 5 s)
    const second = connections(10, T0 + 5100, 'open', 443);
    const lossy = [
      ...first.flatMap((c, i) => (i < 2 ? c.filter((s) => !isSynAck(s)) : c)),
      ...second.flat(),
      ...connections(1, T0 + 9000, 'open', 22).flat(),
    ];
    const { out } = run(lossy, { windowMs: 5000, graceMs: 1000 });
    expect(out.map((o) => [o.window_start - T0, o.port, o.loss_checked, o.loss_missed])).toEqual([
      [0, 80, 10, 2],
      [5000, 22, 11, 0],
      [5000, 443, 11, 0],
    ]);
  });
});
