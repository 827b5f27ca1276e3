// The HyperLogLog: estimates within three standard errors for known counts, merge as union.

import { describe, expect, it } from 'vitest';
import {
  HLL_MAX_RANK,
  HLL_REGISTERS,
  HLL_STANDARD_ERROR,
  hllAdd,
  hllEstimate,
  hllHash,
  hllMerge,
} from '../../common/hll.js';

/** A sketch of ids first, first + 1, ... (IPv4 addresses in a row: the hash must mix them). */
function sketch(first: number, n: number): Uint8Array {
  const regs = new Uint8Array(HLL_REGISTERS);
  for (let i = 0; i < n; i++) hllAdd(regs, 0, hllHash((first + i) | 0));
  return regs;
}

describe('hll', () => {
  it('has the documented size and error', () => {
    expect(HLL_REGISTERS).toBe(64);
    expect(HLL_MAX_RANK).toBe(27);
    expect(HLL_STANDARD_ERROR).toBeCloseTo(0.13, 3);
  });

  it.each([1, 10, 100, 1_000, 10_000, 100_000])('estimates %i distinct ids within 3 standard errors', (n) => {
    const first = 0x0a000001; // 10.0.0.1
    const est = hllEstimate(sketch(first, n));
    expect(Math.abs(est - n)).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR * n);
  });

  it('counts small sets nearly exactly (linear counting)', () => {
    expect(Math.round(hllEstimate(sketch(0xc0000201, 1)))).toBe(1);
    expect(Math.abs(hllEstimate(sketch(0xc0000201, 10)) - 10)).toBeLessThan(1.5);
  });

  it('counts repeated ids once', () => {
    const regs = sketch(7, 50);
    const again = regs.slice();
    for (let i = 0; i < 50; i++) hllAdd(again, 0, hllHash(7 + i));
    expect(again).toEqual(regs);
  });

  it('keeps register values in 0..27, including an all-zero low part', () => {
    const regs = new Uint8Array(HLL_REGISTERS);
    hllAdd(regs, 0, 0x04000000); // register 1, the low 26 bits all zero
    expect(regs[1]).toBe(HLL_MAX_RANK);
    for (const v of sketch(1, 10_000)) expect(v).toBeLessThanOrEqual(HLL_MAX_RANK);
  });

  it('writes a sketch at an offset, leaving the rest alone', () => {
    const rows = new Uint8Array(3 * HLL_REGISTERS);
    hllAdd(rows, HLL_REGISTERS, hllHash(42));
    expect(rows.subarray(0, HLL_REGISTERS).every((v) => v === 0)).toBe(true);
    expect(rows.subarray(2 * HLL_REGISTERS).every((v) => v === 0)).toBe(true);
    expect(rows.subarray(HLL_REGISTERS, 2 * HLL_REGISTERS)).toEqual(sketch(42, 1));
  });

  it('merges two sketches into the sketch of the union', () => {
    const a = sketch(1000, 3000);
    const b = sketch(2500, 4000); // overlaps a
    hllMerge(a, b);
    expect(a).toEqual(sketch(1000, 5500));
  });

  it('treats an empty array as no ids', () => {
    expect(hllEstimate([])).toBe(0);
    const a = sketch(1, 20);
    hllMerge(a, []);
    expect(a).toEqual(sketch(1, 20));
    expect(hllEstimate(new Uint8Array(HLL_REGISTERS))).toBe(0);
  });
});
