// The tracking thread of a threaded replay: runs the Tracker over the segment records the
// decoding thread puts in the ring. Observations are posted in packed batches as they are
// emitted (so the parent unpacks one batch while the next is built), the last batch with the
// stats.

import { parentPort, workerData } from 'node:worker_threads';
import { Packet } from '../decode/packet.js';
import { ObservationPacker } from './observation-batch.js';
import { readRecord } from './segment-records.js';
import { drainRing, failRing, type RingBuffers } from './segment-ring.js';
import type { TrackerBatch } from './tracker-thread.js';
import { Tracker, type TrackerOptions, type TrackerStats } from './tracker.js';

const BATCH = 1024;
const { ring, ackFilter } = workerData as { ring: RingBuffers; ackFilter: Uint8Array };
// the options come in the first message (the thread may be started before they are known)
const opts = await new Promise<TrackerOptions>((resolve) => parentPort!.once('message', resolve));
const packer = new ObservationPacker(BATCH);
const post = (stats?: TrackerStats): void => {
  const batch = packer.take();
  parentPort!.postMessage({ batch, stats } satisfies TrackerBatch, [batch.nums.buffer as ArrayBuffer]);
};
try {
  const tracker = new Tracker(opts, (o) => packer.add(o) && post(), ackFilter);
  const p = new Packet();
  drainRing(ring, (v, count) => {
    for (let n = 0; n < count; n++) tracker.onSegment(p, readRecord(v, n, p));
  });
  tracker.finish();
  post(tracker.stats);
} catch (err) {
  failRing(ring);
  throw err;
}
