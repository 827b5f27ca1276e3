// Fuzz-style: random bytes, every truncation and random bit flips of every fixture, in every
// link type, with and without the Teredo heuristic, never throw out of the decoder, never hit
// its internal safety net, and each packet is counted under exactly one outcome. Nothing past
// the captured length is read: the same cut frame followed by other bytes decodes the same. The
// same for sFlow datagrams (random, truncated, bit-flipped, with lengths and counts replaced),
// which also must read nothing past their captured length: the same bytes followed by other
// bytes in the buffer walk the same.

import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../sensor/decode/decode.js';
import { LINKTYPE } from '../../sensor/decode/link.js';
import { Packet } from '../../sensor/decode/packet.js';
import { R, REASONS } from '../../sensor/decode/reasons.js';
import { SFLOW_DATAGRAM } from '../../sensor/decode/sflow.js';
import { createPipeline } from '../../sensor/pipeline/one-thread.js';
import { DEFAULT_TRACKER_OPTIONS } from '../../sensor/track/tracker.js';
import { hex } from '../support/frames.js';
import { type SflowWalk, sflowFrame, walkSflow } from '../support/sflow.js';
import { fixtures } from './decode-fixtures.js';
import { sflowFixtures } from './sflow-fixtures.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const linktypes = [...Object.values(LINKTYPE), 147, 65000];

/** Every field the decoder fills, to compare two decodes. */
function fields(p: Packet, r: number): string {
  const ip = p.ipVersion === 0 ? [] : Array.from(p.buf.subarray(p.srcOff, p.dstOff + (p.ipVersion === 6 ? 16 : 4)));
  return JSON.stringify([
    r,
    p.ipVersion,
    p.srcOff,
    p.dstOff,
    p.ttl,
    p.sport,
    p.dport,
    p.seq,
    p.ack,
    p.flags,
    p.ipEnd,
    p.payload,
    p.window,
    p.mss,
    p.vlan,
    p.tunnels,
    r === 0 ? ip : [],
  ]);
}

describe('decoder under hostile input', () => {
  it('random frames in every link type are counted, never thrown', () => {
    const rand = rng(42);
    const p = new Packet();
    const counts = new Array(REASONS.length).fill(0);
    let n = 0;
    for (const lt of linktypes) {
      for (let i = 0; i < 3000; i++) {
        const len = Math.floor(rand() * 200);
        const b = new Uint8Array(len);
        for (let j = 0; j < len; j++) b[j] = Math.floor(rand() * 256);
        // bias towards plausible starts so deeper decoders are reached
        if (len > 14 && rand() < 0.5) b.set(rand() < 0.5 ? [0x08, 0x00] : [0x86, 0xdd], 12);
        if (len > 0 && rand() < 0.3) b[0] = rand() < 0.5 ? 0x45 : 0x60;
        p.teredoAnyPort = (i & 1) === 1;
        const r = decodeFrame(p, b, 0, len, lt);
        counts[r]++;
        n++;
      }
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect(counts[R.DECODER_BUG]).toBe(0);
  });

  it('every truncation and bit flip of every fixture is safe', () => {
    const rand = rng(7);
    const p = new Packet();
    let bugs = 0;
    for (const f of fixtures) {
      const b = hex(f.hex);
      for (let cut = 0; cut <= b.length; cut++) {
        for (const lt of [f.linktype, ...linktypes]) if (decodeFrame(p, b, 0, cut, lt) === R.DECODER_BUG) bugs++;
      }
      for (let i = 0; i < 500; i++) {
        const m = Uint8Array.from(b);
        for (let k = 0; k < 3; k++) m[Math.floor(rand() * m.length)] ^= 1 << Math.floor(rand() * 8);
        p.teredoAnyPort = (i & 1) === 1;
        if (decodeFrame(p, m, 0, Math.floor(rand() * (m.length + 1)), f.linktype) === R.DECODER_BUG) bugs++;
      }
      p.teredoAnyPort = false;
    }
    expect(bugs).toBe(0);
  });

  it('reads nothing past the captured length: every cut of every fixture (and of bit-flipped copies) decodes the same whatever follows it', () => {
    const rand = rng(11);
    const p = new Packet();
    let compared = 0;
    const differ: string[] = [];
    const same = (name: string, frame: Uint8Array, cut: number, lt: number, teredoAny: boolean): void => {
      const outcomes = [0x00, 0xff, 0x45].map((fill) => {
        const buf = new Uint8Array(cut + 64).fill(fill);
        buf.set(frame.subarray(0, cut));
        p.teredoAnyPort = teredoAny;
        return fields(p, decodeFrame(p, buf, 0, cut, lt));
      });
      compared++;
      if (outcomes[0] !== outcomes[1] || outcomes[0] !== outcomes[2]) differ.push(`${name} cut at ${cut}`);
    };
    for (const f of fixtures) {
      const b = hex(f.hex);
      const any = f.options?.teredoAnyPort ?? false;
      for (let cut = 0; cut <= b.length; cut++) same(f.name, b, cut, f.linktype, any);
      for (let i = 0; i < 50; i++) {
        const m = Uint8Array.from(b);
        for (let k = 0; k < 2; k++) m[Math.floor(rand() * m.length)] ^= 1 << Math.floor(rand() * 8);
        same(`${f.name} (flipped)`, m, Math.floor(rand() * (m.length + 1)), f.linktype, (i & 1) === 1);
      }
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(10000);
  });

  it('the pipeline counts every frame once and survives garbage', () => {
    const rand = rng(99);
    const pipe = createPipeline(DEFAULT_TRACKER_OPTIONS, () => {});
    for (let i = 0; i < 20000; i++) {
      const len = Math.floor(rand() * 120);
      const b = new Uint8Array(len).map(() => Math.floor(rand() * 256));
      pipe.onFrame(b, 0, len, 1 + i, 0, linktypes[i % linktypes.length]);
    }
    pipe.finish();
    const s = pipe.stats();
    const failed = Object.values(s.reasons).reduce((a, b) => a + b, 0);
    expect(s.packets).toBe(20000);
    expect(s.decoded + failed).toBe(20000);
    expect(s.reasons.decoder_bug ?? 0).toBe(0);
  });
});

describe('sFlow decoder under hostile input', () => {
  const bugs = (w: SflowWalk): number =>
    [w.open, w.status, ...w.samples.map((x) => x.reason)].filter((r) => r === 'decoder_bug').length;
  /** Walk b[0, len) exactly, and again with other bytes after it: bugs found, and whether both agree. */
  function check(b: Uint8Array, len: number, framing: 'datagram' | 'frame', fill: number): number {
    const exact = walkSflow(b.slice(0, len), 0, len, framing);
    const big = new Uint8Array(len + 40).fill(fill);
    big.set(b.subarray(0, len));
    expect(walkSflow(big, 0, len, framing)).toEqual(exact);
    return bugs(exact);
  }
  const goodDatagrams = sflowFixtures.filter((f) => f.framing === 'datagram').map((f) => hex(f.hex));

  it('random datagrams, in both framings', () => {
    const rand = rng(6343);
    let found = 0;
    for (let i = 0; i < 6000; i++) {
      const len = Math.floor(rand() * 300);
      const b = new Uint8Array(len).map(() => Math.floor(rand() * 256));
      // bias towards plausible headers so the sample and record walks are reached
      if (len >= 8 && rand() < 0.7) b.set([0, 0, 0, 5, 0, 0, 0, Math.floor(rand() * 3)], 0);
      for (let w = 8; w + 4 <= len; w += 4) if (rand() < 0.3) b.set([0, 0, 0, Math.floor(rand() * 5)], w);
      found += check(b, len, 'datagram', i & 0xff);
      const f = sflowFrame(b);
      found += check(f, f.length, 'frame', 0xff - (i & 0xff));
    }
    expect(found).toBe(0);
  });

  it('every truncation and bit flip of every sFlow fixture', () => {
    const rand = rng(11);
    let found = 0;
    for (const fx of sflowFixtures) {
      const b = hex(fx.hex);
      for (let cut = 0; cut <= b.length; cut++) found += check(b, cut, fx.framing, cut & 0xff);
      for (let i = 0; i < 300; i++) {
        const m = Uint8Array.from(b);
        for (let k = 0; k < 3; k++) m[Math.floor(rand() * m.length)] ^= 1 << Math.floor(rand() * 8);
        found += check(m, Math.floor(rand() * (m.length + 1)), fx.framing, i & 0xff);
      }
    }
    expect(found).toBe(0);
  });

  it('lengths, counts and formats replaced by hostile values', () => {
    const rand = rng(1001);
    const values = [0, 1, 2, 3, 4, 5, 7, 8, 11, 12, 16, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];
    let found = 0;
    for (const b of goodDatagrams) {
      for (let i = 0; i < 400; i++) {
        const m = Uint8Array.from(b);
        const dv = new DataView(m.buffer);
        for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
          const at = 4 * Math.floor(rand() * (m.length / 4));
          const v = rand() < 0.7 ? values[Math.floor(rand() * values.length)] : Math.floor(rand() * 2 ** 32);
          dv.setUint32(at, v >>> 0);
        }
        found += check(m, m.length, 'datagram', i & 0xff);
      }
    }
    expect(found).toBe(0);
  });

  it('the packet path counts every sFlow frame once and its samples apart, and survives garbage', () => {
    const rand = rng(77);
    const pipe = createPipeline(DEFAULT_TRACKER_OPTIONS, () => {});
    let frames = 0;
    for (let i = 0; i < 4000; i++) {
      const base = goodDatagrams[i % goodDatagrams.length];
      const m = Uint8Array.from(base);
      for (let k = 0; k < 2; k++) m[Math.floor(rand() * m.length)] ^= 1 << Math.floor(rand() * 8);
      const len = rand() < 0.2 ? Math.floor(rand() * m.length) : m.length;
      if (i & 1) pipe.onFrame(m, 0, len, 1 + i, 0, SFLOW_DATAGRAM);
      else {
        const f = sflowFrame(m.subarray(0, len));
        pipe.onFrame(f, 0, f.length, 1 + i, 0, 1);
      }
      frames++;
    }
    pipe.finish();
    const s = pipe.stats();
    const failed = Object.values(s.reasons).reduce((a, b) => a + b, 0);
    expect(s.packets).toBe(frames);
    expect(s.decoded + failed).toBe(frames);
    expect(s.sampled.datagrams).toBe(frames);
    expect(s.sampled.decoded + Object.values(s.sampled.reasons).reduce((a, b) => a + b, 0)).toBe(s.sampled.samples);
    expect(s.reasons.decoder_bug ?? 0).toBe(0);
    expect(s.sampled.reasons.decoder_bug ?? 0).toBe(0);
    expect(s.sampled.samples).toBeGreaterThan(0);
  });
});
