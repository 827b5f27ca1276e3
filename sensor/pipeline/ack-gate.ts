// Lets the decoding thread of a threaded replay drop the pure ACKs the tracking thread would
// ignore, without asking it: most segments of a capture are ACKs of data, and the tracker only
// looks at an ACK whose ack number is server ISN + 1 of a flow awaiting the client's ACK. The
// tracker keeps counters of those numbers (FlowTable's filter) in shared memory; this gate reads
// them, and adds the SYN+ACKs already forwarded that the tracker may not have processed yet
// (those in chunks it has not finished, per the ring's consumed count). An ACK is dropped only
// when both say no such flow can exist when the tracker reaches it, so the tracker's result is
// the same as if it had seen the ACK (a test runs both on every golden capture).
// The forwarded SYN+ACKs are kept per filter slot as a count and the XOR of their exact
// expected ack numbers: a slot holding one of them names it exactly, so an ACK that only shares
// its slot is dropped (on the replay benchmark 1,038,858 → 982,582 pure ACKs forwarded; most of
// the rest carry the exact ack number of a SYN+ACK still in flight: the client's second ACK).

import { ACK_FILTER_SLOTS, ackSlot, pow2 } from '../track/flow-table.js';

export class AckGate {
  // per filter slot, forwarded and maybe unprocessed SYN+ACKs: [count, XOR of their ack numbers]
  private readonly pending = new Int32Array(2 * ACK_FILTER_SLOTS);
  private readonly acks: Int32Array; // FIFO of (expected ack, chunk) of forwarded SYN+ACKs
  private readonly chunks: Int32Array;
  private head = 0; // sequence numbers into the FIFO
  private tail = 0;

  /**
   * `awaiting`: the tracker's filter counters (shared); `consumed()`: chunks the tracker has
   * finished; `capacity`: records the ring can hold unconsumed, plus one chunk.
   */
  constructor(
    private readonly awaiting: Uint8Array,
    private readonly consumed: () => number,
    capacity: number,
  ) {
    const n = pow2(capacity);
    this.acks = new Int32Array(n);
    this.chunks = new Int32Array(n);
  }

  /** A SYN+ACK with sequence number `seq` was forwarded in chunk `chunk`. */
  forwarded(seq: number, chunk: number): void {
    const mask = this.acks.length - 1;
    if (this.tail - this.head > mask) {
      this.release();
      // the ring never holds more records than the capacity given: a bug, not bad input
      if (this.tail - this.head > mask) throw new Error('AckGate: more SYN+ACKs in flight than its capacity');
    }
    const ack = (seq + 1) | 0;
    const i = 2 * ackSlot(ack);
    this.pending[i]++;
    this.pending[i + 1] ^= ack;
    this.acks[this.tail & mask] = ack;
    this.chunks[this.tail & mask] = chunk;
    this.tail++;
  }

  /** Might the tracker act on a pure ACK with this ack number? False means certainly not. */
  mayMatter(ack: number): boolean {
    const s = ackSlot(ack);
    if (this.awaiting[s] !== 0) return true;
    if (!this.mayBePending(2 * s, ack | 0)) return false;
    this.release();
    return this.awaiting[s] !== 0 || this.mayBePending(2 * s, ack | 0);
  }

  /** Might a forwarded SYN+ACK counted at pending[i] expect `ack`? (Exact when it is alone there.) */
  private mayBePending(i: number, ack: number): boolean {
    const n = this.pending[i];
    return n > 1 || (n === 1 && this.pending[i + 1] === ack);
  }

  /** Forget the SYN+ACKs of chunks the tracker has finished (their effect is in `awaiting`). */
  private release(): void {
    const done = this.consumed(); // an atomic read: the tracker's filter writes before it are visible
    const mask = this.acks.length - 1;
    while (this.head < this.tail && this.chunks[this.head & mask] < done) {
      const ack = this.acks[this.head & mask];
      const i = 2 * ackSlot(ack);
      this.pending[i]--;
      this.pending[i + 1] ^= ack;
      this.head++;
    }
  }
}
