// A bounded table of TCP connection attempts with no per-flow allocation: each flow is one
// 64-byte row of an Int32Array, rows are handed out in creation order from a ring (so the
// oldest row is the next to expire or be evicted), and an open-addressing index over the key
// hash finds a row by (client ip, client port, server ip, server port). Two counting filters let
// the tracker drop most pure ACKs by their numbers alone, without reading their addresses: one
// over the ack numbers that would complete a handshake (server ISN + 1 of each flow awaiting the
// client's ACK), one over the sequence numbers a client's first ACK would carry (client ISN + 1
// of each flow whose SYN is unanswered: its ACK tells that the SYN+ACK was missed).
// Limits: the ring doubles up to maxFlows; when full the oldest flow is evicted (counted); rows
// of removed flows keep their ring place until it expires; a counter stuck at 255 stays so.
// The ring starts at 2^20 rows (or maxFlows if smaller): its typed arrays are zero-filled pages
// the system commits only when touched, while growing re-indexes every row (costly, see
// benchmarks/README.md).

import type { FlowKey } from './flow-key.js';

export const STATE_FREE = 0; // row removed
export const STATE_SYN = 1; // client SYN seen, no answer yet (Zeek S0)
export const STATE_SYNACK = 2; // server SYN+ACK seen, waiting for the client's ACK (Zeek S1)
export const STATE_DONE = 3; // handshake over (completed or aborted by the client); kept so late
// duplicates and retransmissions are recognised until the flow expires
export const STATE_REJ = 4; // SYN answered by RST (Zeek REJ)

const W = 16; // words per row
const C0 = 0; // c0..c3 at 0..3, s0..s3 at 4..7
const PORTS = 8; // cport << 16 | sport
const META = 9; // state | v6 << 8 | sawSyn << 9
const CISN = 10;
const SISN = 11;
const HASH = 12;
const ACC_GEN = 13; // the endpoint accumulator of an accepted flow: window generation
const ACC_SLOT = 14; // and slot in that window

const FILTER_BITS = 16;
/** Counters in each pure-ACK filter (one byte each). */
export const ACK_FILTER_SLOTS = 1 << FILTER_BITS;
/** Bytes of both filters: the ack-number counters, then the sequence-number counters. */
export const ACK_FILTER_BYTES = 2 * ACK_FILTER_SLOTS;
const START_CAPACITY = 1 << 20;

export class FlowTable {
  private cap: number; // ring capacity in rows (power of two)
  private rows: Int32Array;
  private times: Float64Array; // creation time per row, ms
  private index: Int32Array; // row number + 1, 0 empty; linear probing
  private head = 0; // sequence number of the oldest row in the ring
  private tail = 0; // sequence number of the next row
  size = 0; // live flows
  private synFlows = 0; // live flows in STATE_SYN (so the end of input needs no pass over the ring)
  evictions = 0;

  private readonly awaiting: Uint8Array; // by server ISN + 1, flows in STATE_SYNACK
  private readonly awaitingSeq: Uint8Array; // by client ISN + 1, flows in STATE_SYN

  /** `filters`: both filters' saturating counters (ACK_FILTER_BYTES; shared memory when another
   * thread reads them, see pipeline/ack-gate.ts). */
  constructor(
    readonly maxFlows: number,
    private readonly filters: Uint8Array = new Uint8Array(ACK_FILTER_BYTES),
  ) {
    this.awaiting = filters.subarray(0, ACK_FILTER_SLOTS);
    this.awaitingSeq = filters.subarray(ACK_FILTER_SLOTS, ACK_FILTER_BYTES);
    this.cap = Math.min(START_CAPACITY, pow2(maxFlows));
    this.rows = new Int32Array(this.cap * W);
    this.times = new Float64Array(this.cap);
    // written once now: its pages are first touched by lookups at random, and a page read before
    // it is written maps the zero page, whose replacement on the first write flushes the TLB of
    // every CPU running this process
    this.index = new Int32Array(this.cap * 2).fill(0);
  }

  /**
   * Load the index entries of these key hashes, all at once: independent loads the CPU overlaps,
   * so that the lookups that follow find them in cache. (At the default size the index is far
   * larger than the cache: a new flow's lookup is a miss, most of a SYN's cost.)
   * Returns a sum of what it read only so that the loads are not optimised away.
   */
  prefetch(hashes: Int32Array, count: number): number {
    const index = this.index;
    const mask = index.length - 1;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += index[hashes[i] & mask];
    return sum;
  }

  /** The row of the flow with this key, or -1. */
  get(k: FlowKey): number {
    const rows = this.rows;
    const index = this.index;
    const mask = index.length - 1;
    const ports = (k.cport << 16) | k.sport;
    for (let i = k.hash & mask; ; i = (i + 1) & mask) {
      const r = index[i] - 1;
      if (r < 0) return -1;
      const o = r * W;
      if (
        rows[o + HASH] === k.hash &&
        rows[o + PORTS] === ports &&
        rows[o + C0] === k.c0 &&
        rows[o + 4] === k.s0 &&
        rows[o + 1] === k.c1 &&
        rows[o + 2] === k.c2 &&
        rows[o + 3] === k.c3 &&
        rows[o + 5] === k.s1 &&
        rows[o + 6] === k.s2 &&
        rows[o + 7] === k.s3 &&
        ((rows[o + META] >> 8) & 1) === (k.v6 ? 1 : 0)
      ) {
        return r;
      }
    }
  }

  /** Add a flow (the caller checked it is absent) in `state`, client ISN `cisn`; returns its row. */
  insert(k: FlowKey, t: number, state: number, cisn: number): number {
    if (this.tail - this.head >= this.cap) {
      if (this.cap < this.maxFlows) this.grow();
      else this.advanceHead();
    }
    while (this.size >= this.maxFlows) this.advanceHead();
    const r = this.tail++ & (this.cap - 1);
    const o = r * W;
    const rows = this.rows;
    rows[o] = k.c0;
    rows[o + 1] = k.c1;
    rows[o + 2] = k.c2;
    rows[o + 3] = k.c3;
    rows[o + 4] = k.s0;
    rows[o + 5] = k.s1;
    rows[o + 6] = k.s2;
    rows[o + 7] = k.s3;
    rows[o + PORTS] = (k.cport << 16) | k.sport;
    rows[o + META] = k.v6 ? 1 << 8 : 0;
    rows[o + HASH] = k.hash;
    rows[o + CISN] = cisn;
    this.times[r] = t;
    this.place(r, k.hash);
    this.size++;
    this.setState(r, state);
    return r;
  }

  state(r: number): number {
    return this.rows[r * W + META] & 0xff;
  }

  setState(r: number, state: number): void {
    const o = r * W + META;
    const old = this.rows[o] & 0xff;
    if (old === state) return;
    // the row's client ISN must be set before it enters STATE_SYN and kept until it leaves
    if (old === STATE_SYN) {
      this.synFlows--;
      unmark(this.awaitingSeq, this.rows[r * W + CISN]);
    } else if (state === STATE_SYN) {
      this.synFlows++;
      mark(this.awaitingSeq, this.rows[r * W + CISN]);
    }
    // the row's server ISN must be set before it enters STATE_SYNACK and kept until it leaves
    if (old === STATE_SYNACK) unmark(this.awaiting, this.rows[r * W + SISN]);
    else if (state === STATE_SYNACK) mark(this.awaiting, this.rows[r * W + SISN]);
    this.rows[o] = (this.rows[o] & ~0xff) | state;
  }

  sawSyn(r: number): boolean {
    return (this.rows[r * W + META] & (1 << 9)) !== 0;
  }

  setSawSyn(r: number, v: boolean): void {
    const o = r * W + META;
    this.rows[o] = v ? this.rows[o] | (1 << 9) : this.rows[o] & ~(1 << 9);
  }

  cisn(r: number): number {
    return this.rows[r * W + CISN] >>> 0;
  }

  /** Set the client ISN of a flow that is not in STATE_SYN (the filter is keyed by it there). */
  setCisn(r: number, v: number): void {
    this.rows[r * W + CISN] = v;
  }

  /** When the flow was created (ms). */
  time(r: number): number {
    return this.times[r];
  }

  sisn(r: number): number {
    return this.rows[r * W + SISN] >>> 0;
  }

  setSisn(r: number, v: number): void {
    this.rows[r * W + SISN] = v;
  }

  accGen(r: number): number {
    return this.rows[r * W + ACC_GEN];
  }

  accSlot(r: number): number {
    return this.rows[r * W + ACC_SLOT];
  }

  /** Point an accepted flow at its endpoint accumulator (window generation, slot). */
  setAcc(r: number, gen: number, slot: number): void {
    this.rows[r * W + ACC_GEN] = gen;
    this.rows[r * W + ACC_SLOT] = slot;
  }

  /** May a flow be waiting for a client ACK with this ack number? False means certainly not. */
  mayAwaitAck(ack: number): boolean {
    return this.awaiting[ackSlot(ack)] !== 0;
  }

  /** May an unanswered SYN's client send its first ACK with this sequence number? False: certainly not. */
  mayAwaitSeq(seq: number): boolean {
    return this.awaitingSeq[ackSlot(seq)] !== 0;
  }

  /** Remove a flow now (its ring row stays until the ring passes it). */
  remove(r: number): void {
    this.setState(r, STATE_FREE);
    this.unplace(r);
    this.size--;
  }

  /** Remove flows created before `cutoff`, oldest first, calling `onExpire` with each one's state. */
  expire(cutoff: number, onExpire: (state: number) => void): void {
    const mask = this.cap - 1;
    while (this.head < this.tail) {
      const r = this.head & mask;
      const state = this.state(r);
      if (state !== STATE_FREE) {
        if (this.times[r] >= cutoff) return;
        this.remove(r);
        onExpire(state);
      }
      this.head++;
    }
  }

  /** Remove everything (end of input); returns how many flows were still in STATE_SYN. */
  drain(): number {
    const syns = this.synFlows;
    // rows before head are dead: insert() rewrites a row's state before reading it
    this.head = this.tail;
    this.index = new Int32Array(this.index.length); // fresh zero pages: no pass over 8+ MB
    this.filters.fill(0);
    this.size = 0;
    this.synFlows = 0;
    return syns;
  }

  /** Give up the oldest ring row, evicting its flow if it is still live. */
  private advanceHead(): void {
    const r = this.head & (this.cap - 1);
    if (this.state(r) !== STATE_FREE) {
      this.remove(r);
      this.evictions++;
    }
    this.head++;
  }

  private place(r: number, hash: number): void {
    const index = this.index;
    const mask = index.length - 1;
    let i = hash & mask;
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = r + 1;
  }

  /** Delete row r from the index, shifting back later entries of its probe run. */
  private unplace(r: number): void {
    const index = this.index;
    const mask = index.length - 1;
    let i = this.rows[r * W + HASH] & mask;
    while (index[i] !== r + 1) {
      if (index[i] === 0) return;
      i = (i + 1) & mask;
    }
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = index[j];
      if (e === 0) break;
      const home = this.rows[(e - 1) * W + HASH] & mask;
      // move e into the hole at i unless its home lies cyclically in (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        index[i] = e;
        i = j;
      }
    }
    index[i] = 0;
  }

  /** Double the full ring (up to maxFlows), keeping rows in creation order. */
  private grow(): void {
    const oldCap = this.cap;
    const oldRows = this.rows;
    const oldTimes = this.times;
    this.cap = Math.min(oldCap * 2, pow2(this.maxFlows));
    this.rows = new Int32Array(this.cap * W);
    this.times = new Float64Array(this.cap);
    this.index = new Int32Array(this.cap * 2).fill(0); // written first, as in the constructor
    // the ring was full: its rows, oldest first, are [head..oldCap) then [0..head)
    const h = this.head & (oldCap - 1);
    this.rows.set(oldRows.subarray(h * W), 0);
    this.rows.set(oldRows.subarray(0, h * W), (oldCap - h) * W);
    this.times.set(oldTimes.subarray(h), 0);
    this.times.set(oldTimes.subarray(0, h), oldCap - h);
    const n = this.tail - this.head;
    for (let i = 0; i < n; i++) {
      if ((this.rows[i * W + META] & 0xff) !== STATE_FREE) this.place(i, this.rows[i * W + HASH]);
    }
    this.head = 0;
    this.tail = n;
  }
}

/** Count a flow expecting `isn + 1` in `filter` (a counter stuck at 255 stays there). */
function mark(filter: Uint8Array, isn: number): void {
  const i = ackSlot(isn + 1);
  if (filter[i] < 255) filter[i]++;
}

function unmark(filter: Uint8Array, isn: number): void {
  const i = ackSlot(isn + 1);
  if (filter[i] > 0 && filter[i] < 255) filter[i]--;
}

/** The filter counter of an acknowledgement number (any 32-bit integer, signed or not). */
export function ackSlot(ack: number): number {
  return Math.imul(ack | 0, 0x9e3779b1) >>> (32 - FILTER_BITS);
}

export function pow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
