// Fuzz-style: random bytes, every truncation and random bit flips of every fixture, in every
// link type, never throw out of the decoder, never hit its internal safety net, and each packet
// is counted under exactly one outcome.

import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../sensor/decode/decode.js';
import { LINKTYPE } from '../../sensor/decode/link.js';
import { Packet } from '../../sensor/decode/packet.js';
import { R, REASONS } from '../../sensor/decode/reasons.js';
import { createPipeline } from '../../sensor/pipeline/one-thread.js';
import { DEFAULT_TRACKER_OPTIONS } from '../../sensor/track/tracker.js';
import { hex } from '../support/frames.js';
import { fixtures } from './decode-fixtures.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const linktypes = [...Object.values(LINKTYPE), 105, 127, 65000];

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
        if (decodeFrame(p, m, 0, Math.floor(rand() * (m.length + 1)), f.linktype) === R.DECODER_BUG) bugs++;
      }
    }
    expect(bugs).toBe(0);
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
