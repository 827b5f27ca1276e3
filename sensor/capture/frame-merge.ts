// Frames of several interfaces (the two ports of a TAP, one per direction) merged into one stream
// in capture-time order. Each interface's frames come in order, but the interfaces are read one
// after the other, so a SYN+ACK read from one port can come before the SYN it answers on the
// other. Each frame is copied and held until every interface still capturing has shown a later
// one, or until it is `holdMs` old by the wall clock (an idle or lost port holds nothing up).
// Limits: a reader more than `holdMs` behind the kernel may still deliver across ports out of order.

import type { FrameSink } from './capture-parser.js';

interface Held {
  b: Buffer;
  sec: number;
  nsec: number;
  linktype: number;
  ms: number;
}

/** A FIFO of held frames that does not shift an array per frame. */
class Queue {
  private items: Held[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(h: Held): void {
    this.items.push(h);
  }
  peek(): Held {
    return this.items[this.head];
  }
  shift(): Held {
    const h = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return h;
  }
}

export class FrameMerge {
  private readonly queues: Queue[];
  private readonly active: boolean[];
  private held = 0;

  constructor(
    n: number,
    private readonly holdMs: number,
    private readonly sink: FrameSink,
  ) {
    this.queues = Array.from({ length: n }, () => new Queue());
    this.active = new Array<boolean>(n).fill(true);
  }

  /** Frames held now (copies waiting for the other interfaces). */
  get size(): number {
    return this.held;
  }

  /** The sink for interface `i`'s frames. */
  input(i: number): FrameSink {
    return (b, off, caplen, sec, nsec, linktype) => {
      const copy = Buffer.allocUnsafe(caplen);
      copy.set(b.subarray(off, off + caplen));
      this.queues[i].push({ b: copy, sec, nsec, linktype, ms: sec * 1000 + nsec / 1e6 });
      this.held++;
      this.release(-Infinity);
    };
  }

  /** Interface `i` stopped (lost) or started again: a stopped one is not waited for. */
  setActive(i: number, active: boolean): void {
    this.active[i] = active;
    if (!active) this.release(-Infinity);
  }

  /** Deliver what was captured before `nowMs - holdMs` (call on a timer). */
  flushDue(nowMs: number): void {
    this.release(nowMs - this.holdMs);
  }

  /** Deliver everything held (end of capture). */
  flushAll(): void {
    this.release(Infinity);
  }

  /**
   * Deliver the earliest held frame while every active interface has one waiting (nothing
   * earlier can still come from them), or while it was captured at or before `limitMs`.
   */
  private release(limitMs: number): void {
    const qs = this.queues;
    for (;;) {
      let min = -1;
      let all = true;
      for (let i = 0; i < qs.length; i++) {
        if (qs[i].size === 0) {
          if (this.active[i]) all = false;
        } else if (min < 0 || qs[i].peek().ms < qs[min].peek().ms) min = i;
      }
      if (min < 0 || !(all || qs[min].peek().ms <= limitMs)) return;
      const h = qs[min].shift();
      this.held--;
      this.sink(h.b, 0, h.b.length, h.sec, h.nsec, h.linktype);
    }
  }
}
