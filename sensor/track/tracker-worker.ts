// The tracking thread of a threaded replay: allocates the shared memory it works on and sends it
// to its parent, waits for its options, then runs the Tracker over the segment records the
// decoding thread puts in the ring, and at the end posts the Observations and the stats.

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

parentPort!.once('message', (opts: TrackerOptions) => {
  const found: Observation[] = [];
  try {
    const tracker = new Tracker(opts, (o) => found.push(o), ackFilter);
    const p = new Packet();
    drainRing(ring, (v, count) => {
      for (let n = 0; n < count; n++) tracker.onSegment(p, readRecord(v, n, p));
    });
    tracker.finish();
    parentPort!.postMessage({ found, stats: tracker.stats });
    parentPort!.close(); // nothing more to hear: let the thread end
  } catch (err) {
    failRing(ring);
    throw err;
  }
});
