// A single-producer, single-consumer ring of segment records in a SharedArrayBuffer: the
// decoding thread fills chunks of records and publishes each full chunk; the tracking thread
// takes them in order. Either side blocks (Atomics.wait) when the ring is full or empty, so
// memory stays bounded whichever side is slower. Control words: full chunks published (with a
// closed bit, so one wait sees both), chunks consumed, and the record count of the partial chunk
// left at close (it sits in the slot after the last published chunk).

import { RECORD_BYTES, type RecordViews, recordViews } from './segment-records.js';

export const CHUNK_RECORDS = 2048;
const PUBLISHED = 0; // count | CLOSED_BIT
const CONSUMED = 1;
const FINAL_COUNT = 2;
const FAILED = 3; // set by the consumer when it stops on an error: the producer must not wait
const CLOSED_BIT = 0x40000000;

export interface RingBuffers {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  chunks: number;
}

// small enough to stay in cache between the two threads: a ring much larger than the cache makes
// every write of the decoding thread a miss
export function createRing(chunks = 8): RingBuffers {
  return {
    control: new SharedArrayBuffer(16),
    data: new SharedArrayBuffer(chunks * CHUNK_RECORDS * RECORD_BYTES),
    chunks,
  };
}

function chunkViews(r: RingBuffers): RecordViews[] {
  return Array.from({ length: r.chunks }, (_, c) =>
    recordViews(r.data, c * CHUNK_RECORDS * RECORD_BYTES, CHUNK_RECORDS),
  );
}

/** The decoding side: `next()` gives the slot to write, publishing full chunks as it goes. */
export class RingWriter {
  private readonly ctl: Int32Array;
  private readonly views: RecordViews[];
  private published = 0;
  private n = CHUNK_RECORDS; // records in the current chunk; full = none taken yet
  view!: RecordViews; // the chunk being written

  /** `stallWaits`: 100 ms waits with no chunk consumed before giving up (default 60 s). */
  constructor(
    private readonly r: RingBuffers,
    private readonly stallWaits = 600,
  ) {
    this.ctl = new Int32Array(r.control);
    this.views = chunkViews(r);
  }

  /** Sequence number of the chunk being written (`view`). */
  get chunk(): number {
    return this.published;
  }

  /** Chunks the consumer has finished (an atomic read). */
  consumed(): number {
    return Atomics.load(this.ctl, CONSUMED);
  }

  /** Index in `view` of the next record to write. */
  next(): number {
    if (this.n === CHUNK_RECORDS) this.take();
    return this.n++;
  }

  /** No more records: publish the partial chunk and mark the ring closed. */
  close(): void {
    Atomics.store(this.ctl, FINAL_COUNT, this.n === CHUNK_RECORDS ? 0 : this.n);
    Atomics.store(this.ctl, PUBLISHED, this.published | CLOSED_BIT);
    Atomics.notify(this.ctl, PUBLISHED);
  }

  private take(): void {
    if (this.view) {
      Atomics.store(this.ctl, PUBLISHED, ++this.published);
      Atomics.notify(this.ctl, PUBLISHED);
    }
    // wait for the consumer to free the slot (the ring is full)
    for (let waited = 0; ; waited++) {
      const consumed = Atomics.load(this.ctl, CONSUMED);
      if (this.published - consumed < this.r.chunks) break;
      if (Atomics.load(this.ctl, FAILED)) throw new Error('the tracking thread stopped');
      // this thread is blocked, so it cannot hear of a worker that never started: give up
      if (waited === this.stallWaits)
        throw new Error(`the tracking thread took no records for ${this.stallWaits / 10} s`);
      if (Atomics.wait(this.ctl, CONSUMED, consumed, 100) !== 'timed-out') waited = -1;
    }
    this.view = this.views[this.published % this.r.chunks];
    this.n = 0;
  }
}

/** The tracking side gave up (its error is reported separately): the producer stops waiting. */
export function failRing(r: RingBuffers): void {
  const ctl = new Int32Array(r.control);
  Atomics.store(ctl, FAILED, 1);
  Atomics.notify(ctl, CONSUMED);
}

/** The tracking side: calls `each(view, count)` for every chunk in order until the ring closes. */
export function drainRing(r: RingBuffers, each: (v: RecordViews, count: number) => void): void {
  const ctl = new Int32Array(r.control);
  const views = chunkViews(r);
  let consumed = 0;
  for (;;) {
    const word = Atomics.load(ctl, PUBLISHED);
    const published = word & ~CLOSED_BIT;
    if (consumed < published) {
      each(views[consumed % r.chunks], CHUNK_RECORDS);
      Atomics.store(ctl, CONSUMED, ++consumed);
      Atomics.notify(ctl, CONSUMED);
      continue;
    }
    if (word & CLOSED_BIT) {
      const last = Atomics.load(ctl, FINAL_COUNT);
      if (last > 0) each(views[consumed % r.chunks], last);
      return;
    }
    Atomics.wait(ctl, PUBLISHED, word);
  }
}
