// A bounded FIFO between capture and Kafka: push never blocks and never grows past `limit`;
// when full the oldest entry is dropped and counted exactly. Batches taken for sending can be
// put back at the front when the send fails (dropping from the oldest end if that overflows).

export class BoundedQueue<T> {
  private buf: Array<T | undefined>;
  private head = 0;
  length = 0;
  dropped = 0;

  constructor(readonly limit: number) {
    this.buf = new Array<T | undefined>(limit);
  }

  push(item: T): void {
    if (this.length === this.limit) {
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) % this.limit;
      this.length--;
      this.dropped++;
    }
    this.buf[(this.head + this.length) % this.limit] = item;
    this.length++;
  }

  /** Remove and return up to `n` of the oldest entries. */
  take(n: number): T[] {
    const k = Math.min(n, this.length);
    const out: T[] = new Array(k);
    for (let i = 0; i < k; i++) {
      out[i] = this.buf[this.head] as T;
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) % this.limit;
    }
    this.length -= k;
    return out;
  }

  /** Put a failed batch back in front, oldest first; what no longer fits is dropped and counted. */
  unshift(items: T[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      if (this.length === this.limit) {
        this.dropped += i + 1; // the rest of the batch is older than anything queued
        return;
      }
      this.head = (this.head - 1 + this.limit) % this.limit;
      this.buf[this.head] = items[i];
      this.length++;
    }
  }
}
