// Lets the decoding thread of a threaded replay drop the pure ACKs the tracking thread would
// ignore, without asking it: most segments of a capture are ACKs of data, and the tracker only
// looks at an ACK whose ack number is server ISN + 1 of a flow awaiting the client's ACK, or
// whose sequence number is client ISN + 1 of a flow whose SYN is unanswered (the SYN+ACK was
// missed). The tracker keeps counters of those numbers (FlowTable's two filters) in shared
// memory; this gate reads them, and adds the SYN+ACKs and SYNs already forwarded that the
// tracker may not have processed yet (those in chunks it has not finished, per the ring's
// consumed count). An ACK is dropped only when both say no such flow can exist when the tracker
// reaches it, so the tracker's result is the same as if it had seen the ACK (a test runs both on
// every golden capture). The forwarded segments are kept per filter slot as a count and the XOR
// of their exact expected numbers: a slot holding one of them names it exactly, so an ACK that
// only shares its slot is dropped (figures: benchmarks/README.md).

import { ACK_FILTER_BYTES, ACK_FILTER_SLOTS, ackSlot, pow2 } from '../track/flow-table.js';

/** Forwarded segments not yet known processed, by the number a later ACK would carry. */
class InFlight {
  // per filter slot: [count, XOR of their expected numbers]
  private readonly pending = new Int32Array(2 * ACK_FILTER_SLOTS);
  private readonly values: Int32Array; // FIFO of (expected number, chunk)
  private readonly chunks: Int32Array;
  private head = 0; // sequence numbers into the FIFO
  private tail = 0;

  constructor(capacity: number) {
    const n = pow2(capacity);
    this.values = new Int32Array(n);
    this.chunks = new Int32Array(n);
  }

  add(value: number, chunk: number, done: () => number): void {
    const mask = this.values.length - 1;
    if (this.tail - this.head > mask) {
      this.release(done());
      // the ring never holds more records than the capacity given: a bug, not bad input
      if (this.tail - this.head > mask) throw new Error('AckGate: more segments in flight than its capacity');
    }
    const i = 2 * ackSlot(value);
    this.pending[i]++;
    this.pending[i + 1] ^= value;
    this.values[this.tail & mask] = value;
    this.chunks[this.tail & mask] = chunk;
    this.tail++;
  }

  /** Might one of them expect `value` (filter slot `s`)? (Exact when it is alone there.) */
  mayHold(s: number, value: number): boolean {
    const n = this.pending[2 * s];
    return n > 1 || (n === 1 && this.pending[2 * s + 1] === value);
  }

  /** Forget those of chunks before `done` (their effect is in the tracker's filters). */
  release(done: number): void {
    const mask = this.values.length - 1;
    while (this.head < this.tail && this.chunks[this.head & mask] < done) {
      const v = this.values[this.head & mask];
      const i = 2 * ackSlot(v);
      this.pending[i]--;
      this.pending[i + 1] ^= v;
      this.head++;
    }
  }
}

export class AckGate {
  private readonly awaiting: Uint8Array; // the tracker's counters by ack number
  private readonly awaitingSeq: Uint8Array; // and by sequence number
  private readonly synacks: InFlight; // by the ack number their client's ACK carries
  private readonly syns: InFlight; // by the sequence number their client's ACK carries

  /**
   * `filters`: the tracker's filter counters (shared, ACK_FILTER_BYTES); `consumed()`: chunks
   * the tracker has finished; `capacity`: records the ring can hold unconsumed, plus one chunk.
   */
  constructor(
    filters: Uint8Array,
    private readonly consumed: () => number,
    capacity: number,
  ) {
    this.awaiting = filters.subarray(0, ACK_FILTER_SLOTS);
    this.awaitingSeq = filters.subarray(ACK_FILTER_SLOTS, ACK_FILTER_BYTES);
    this.synacks = new InFlight(capacity);
    this.syns = new InFlight(capacity);
  }

  /** A SYN+ACK with sequence number `seq` was forwarded in chunk `chunk`. */
  forwarded(seq: number, chunk: number): void {
    this.synacks.add((seq + 1) | 0, chunk, this.consumed);
  }

  /** A SYN with sequence number `seq` was forwarded in chunk `chunk`. */
  forwardedSyn(seq: number, chunk: number): void {
    this.syns.add((seq + 1) | 0, chunk, this.consumed);
  }

  /** Might the tracker act on a pure ACK with these numbers? False means certainly not. */
  mayMatter(ack: number, seq: number): boolean {
    const a = ackSlot(ack);
    const s = ackSlot(seq);
    if (this.awaiting[a] !== 0 || this.awaitingSeq[s] !== 0) return true;
    if (!this.synacks.mayHold(a, ack | 0) && !this.syns.mayHold(s, seq | 0)) return false;
    const done = this.consumed(); // an atomic read: the tracker's filter writes before it are visible
    this.synacks.release(done);
    this.syns.release(done);
    return (
      this.awaiting[a] !== 0 ||
      this.awaitingSeq[s] !== 0 ||
      this.synacks.mayHold(a, ack | 0) ||
      this.syns.mayHold(s, seq | 0)
    );
  }
}
