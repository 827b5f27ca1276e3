// Decoded TCP segments as fixed-size records, so that one thread can decode and another track:
// the fields the tracker reads, and both addresses copied as bytes. A record with flags 0 carries
// only a time (the tracker's clock advances; nothing else happens), unless it is marked sampled:
// a sampled segment (sFlow) carries its sampling rate in place of its sequence number, which the
// tracker does not read for samples. Pure: no I/O, no threads.

import type { Packet } from '../decode/packet.js';

export const RECORD_BYTES = 72; // 18 int32 words; the time is the f64 at word 0
const WORDS = RECORD_BYTES / 4;
const SRC = 40; // byte offsets of the addresses (16 bytes each; IPv4 uses the first 4)
const DST = 56;
const SAMPLED = 0x8000; // in word 5, above the IP version's bits

export interface RecordViews {
  f64: Float64Array;
  i32: Int32Array;
  u8: Uint8Array;
}

export function recordViews(buf: ArrayBufferLike, byteOffset: number, records: number): RecordViews {
  return {
    f64: new Float64Array(buf, byteOffset, records * (WORDS / 2)),
    i32: new Int32Array(buf, byteOffset, records * WORDS),
    u8: new Uint8Array(buf, byteOffset, records * RECORD_BYTES),
  };
}

/** Record n := segment `p` (with its time). */
export function writeRecord(v: RecordViews, n: number, p: Packet): void {
  const i = n * WORDS;
  const w = v.i32;
  v.f64[n * (WORDS / 2)] = p.ts;
  w[i + 2] = p.seq;
  w[i + 3] = p.ack;
  w[i + 4] = (p.sport << 16) | p.dport;
  w[i + 5] = p.flags | (p.ipVersion << 8) | (p.ttl << 16);
  w[i + 6] = p.window;
  w[i + 7] = p.mss;
  w[i + 8] = p.vlan;
  w[i + 9] = p.payload;
  const u8 = v.u8;
  const b = p.buf;
  const o = n * RECORD_BYTES;
  const len = p.ipVersion === 6 ? 16 : 4;
  for (let k = 0; k < len; k++) {
    u8[o + SRC + k] = b[p.srcOff + k];
    u8[o + DST + k] = b[p.dstOff + k];
  }
}

/** Mark record n (just written) as a sampled segment, one packet in `rate`. */
export function markSampled(v: RecordViews, n: number, rate: number): void {
  const i = n * WORDS;
  v.i32[i + 2] = rate;
  v.i32[i + 5] |= SAMPLED;
}

/** The sampling rate of record n, or 0 when it is no sampled segment. */
export function recordRate(v: RecordViews, n: number): number {
  const i = n * WORDS;
  return v.i32[i + 5] & SAMPLED ? v.i32[i + 2] >>> 0 : 0;
}

/** Record n := only a time. */
export function writeTick(v: RecordViews, n: number, ts: number): void {
  v.f64[n * (WORDS / 2)] = ts;
  v.i32[n * WORDS + 5] = 0;
}

/** The TCP flags of record n (0 for a time-only record). */
export function recordFlags(v: RecordViews, n: number): number {
  return v.i32[n * WORDS + 5] & 0xff;
}

/** Fill `p` from record n (its addresses point into the record), time included. */
export function readRecord(v: RecordViews, n: number, p: Packet): void {
  const i = n * WORDS;
  const w = v.i32;
  const w5 = w[i + 5];
  p.buf = v.u8;
  p.flags = w5 & 0xff;
  p.ipVersion = (w5 >> 8) & 0x7f;
  p.ttl = w5 >> 16;
  p.seq = w[i + 2] >>> 0;
  p.ack = w[i + 3] >>> 0;
  p.sport = (w[i + 4] >>> 16) & 0xffff;
  p.dport = w[i + 4] & 0xffff;
  p.window = w[i + 6];
  p.mss = w[i + 7];
  p.vlan = w[i + 8];
  p.payload = w[i + 9];
  p.srcOff = n * RECORD_BYTES + SRC;
  p.dstOff = n * RECORD_BYTES + DST;
  p.ts = v.f64[n * (WORDS / 2)];
}
