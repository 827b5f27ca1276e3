// The segment ring's producer side on its own: it blocks when the ring is full, and gives up with
// an error (instead of hanging) when the consumer failed or never takes anything.

import { describe, expect, it } from 'vitest';
import { CHUNK_RECORDS, createRing, failRing, RingWriter } from '../../sensor/pipeline/segment-ring.js';

function fill(w: RingWriter, records: number): void {
  for (let i = 0; i < records; i++) w.next();
}

describe('RingWriter', () => {
  it('takes as many chunks as the ring holds without a consumer', () => {
    const w = new RingWriter(createRing(2), 1);
    expect(() => fill(w, 2 * CHUNK_RECORDS)).not.toThrow();
  });

  it('gives up when no chunk is consumed for its stall time', () => {
    const w = new RingWriter(createRing(2), 3);
    const t0 = Date.now();
    expect(() => fill(w, 2 * CHUNK_RECORDS + 1)).toThrow(/took no records for 0.3 s/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250); // it did wait, three times 100 ms
  });

  it('stops at once when the consumer has failed', () => {
    const ring = createRing(2);
    const w = new RingWriter(ring, 600);
    failRing(ring);
    expect(() => fill(w, 2 * CHUNK_RECORDS + 1)).toThrow(/tracking thread stopped/);
  });
});
