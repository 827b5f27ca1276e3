// The tracking thread of a threaded replay: runs the Tracker over the segment records the
// decoding thread puts in the ring. Observations are posted in batches as they are emitted (so
// the parent copies one batch in while the next is built), the last batch with the stats.

import { parentPort, workerData } from 'node:worker_threads';
import type { Observation } from '../../schemas/observation.js';
import { Packet } from '../decode/packet.js';
import { readRecord } from './segment-records.js';
import { drainRing, failRing, type RingBuffers } from './segment-ring.js';
import type { TrackerBatch } from './tracker-thread.js';
import { Tracker, type TrackerOptions } from './tracker.js';

const BATCH = 1024;
const { ring, ackFilter, opts } = workerData as { ring: RingBuffers; ackFilter: Uint8Array; opts: TrackerOptions };
let batch: Observation[] = [];
const emit = (o: Observation): void => {
  if (batch.push(o) === BATCH) {
    parentPort!.postMessage({ observations: batch } satisfies TrackerBatch);
    batch = [];
  }
};
try {
  const tracker = new Tracker(opts, emit, ackFilter);
  const p = new Packet();
  drainRing(ring, (v, count) => {
    for (let n = 0; n < count; n++) tracker.onSegment(p, readRecord(v, n, p));
  });
  tracker.finish();
  parentPort!.postMessage({ observations: batch, stats: tracker.stats } satisfies TrackerBatch);
} catch (err) {
  failRing(ring);
  throw err;
}
