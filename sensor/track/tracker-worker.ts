// The tracking thread of a threaded replay: allocates the shared memory it works on and sends it
// to its parent, waits for its options, then runs the Tracker over the segment records the
// decoding thread puts in the ring. Observations are posted in batches as they are emitted (so
// the parent copies one batch in while the next is built), then the stats.

import { parentPort } from 'node:worker_threads';
import type { Observation } from '../../schemas/observation.js';
import { Packet } from '../decode/packet.js';
import { ACK_FILTER_SLOTS } from './flow-table.js';
import { readRecord } from './segment-records.js';
import { createRing, drainRing, failRing } from './segment-ring.js';
import { Tracker, type TrackerOptions } from './tracker.js';
import type { TrackerMemory } from './tracker-thread.js';

const ring = createRing();
const ackFilter = new Uint8Array(new SharedArrayBuffer(ACK_FILTER_SLOTS));
parentPort!.postMessage({ ring, ackFilter } satisfies TrackerMemory);

const BATCH = 1024;

parentPort!.once('message', (opts: TrackerOptions) => {
  let batch: Observation[] = [];
  const emit = (o: Observation): void => {
    if (batch.push(o) === BATCH) {
      parentPort!.postMessage({ observations: batch });
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
    parentPort!.postMessage({ observations: batch, stats: tracker.stats });
    parentPort!.close(); // nothing more to hear: let the thread end
  } catch (err) {
    failRing(ring);
    throw err;
  }
});
