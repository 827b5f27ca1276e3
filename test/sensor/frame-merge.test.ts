// Frames of a TAP's two ports merged in capture-time order: each port's frames come in order,
// but one port's batch may be read before the other's earlier frames.

import { describe, expect, it } from 'vitest';
import { FrameMerge } from '../../sensor/capture/frame-merge.js';

/** A merge whose sink records each frame's first byte and its time in ms. */
function recorder(n: number, holdMs = 100) {
  const out: Array<[number, number]> = [];
  const m = new FrameMerge(n, holdMs, (b, off, _len, sec, nsec) => out.push([b[off], sec * 1000 + nsec / 1e6]));
  const scratch = Buffer.alloc(4);
  const put = (i: number, id: number, ms: number): void => {
    scratch[0] = id; // the sink must get a copy: the source reuses its buffer
    m.input(i)(scratch, 0, 4, Math.floor(ms / 1000), (ms % 1000) * 1e6, 1);
    scratch[0] = 0xff;
  };
  return { m, out, put };
}

describe('FrameMerge', () => {
  it('puts a SYN+ACK read first from one port after the SYN it answers on the other', () => {
    const { m, out, put } = recorder(2);
    put(1, 2, 1_000_010); // SYN+ACK, server -> client port, read first
    expect(out).toEqual([]); // the other port may still hold an earlier frame
    put(0, 1, 1_000_000); // the SYN
    put(0, 3, 1_000_020); // the client's ACK
    expect(out.map((o) => o[0])).toEqual([1, 2]);
    m.flushAll();
    expect(out.map((o) => o[0])).toEqual([1, 2, 3]);
    expect(out.map((o) => o[1])).toEqual([1_000_000, 1_000_010, 1_000_020]);
    expect(m.size).toBe(0);
  });

  it('does not wait for an idle port longer than the hold time', () => {
    const { m, out, put } = recorder(2, 100);
    put(0, 1, 5_000);
    put(0, 2, 5_050);
    m.flushDue(5_120); // frames captured up to 5_020 are due
    expect(out.map((o) => o[0])).toEqual([1]);
    m.flushDue(5_200);
    expect(out.map((o) => o[0])).toEqual([1, 2]);
  });

  it('does not wait for a lost port, and waits again once it is back', () => {
    const { m, out, put } = recorder(2);
    put(0, 1, 1_000);
    m.setActive(1, false);
    expect(out.map((o) => o[0])).toEqual([1]);
    put(0, 2, 1_001);
    expect(out.map((o) => o[0])).toEqual([1, 2]);
    m.setActive(1, true);
    put(0, 3, 1_002);
    expect(out.map((o) => o[0])).toEqual([1, 2]);
    put(1, 4, 1_003);
    expect(out.map((o) => o[0])).toEqual([1, 2, 3]);
  });

  it('keeps each port in its own order through long queues', () => {
    const { m, out, put } = recorder(2);
    for (let i = 0; i < 3000; i++) put(0, i % 200, 10_000 + i * 2);
    for (let i = 0; i < 3000; i++) put(1, i % 200, 10_001 + i * 2);
    m.flushAll();
    const times = out.map((o) => o[1]);
    expect(times).toHaveLength(6000);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
