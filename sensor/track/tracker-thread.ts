// Starts the tracking thread of a threaded replay (tracker-worker.ts) and the shared memory it
// works on: the segment ring and the pure-ACK filter. Its options come later, by message, so
// `porthole replay` can start it before its own modules load: a worker takes ~20 ms to start
// on an idle core and ~50 ms on a busy one (measured on the replay benchmark).

import { Worker } from 'node:worker_threads';
import type { Observation } from '../../schemas/observation.js';
import { ACK_FILTER_SLOTS } from './flow-table.js';
import { createRing, type RingBuffers } from './segment-ring.js';
import type { TrackerOptions, TrackerStats } from './tracker.js';

export interface TrackerThread {
  ring: RingBuffers;
  ackFilter: Uint8Array; // the tracker's filter counters, read by AckGate
  /** Start tracking with these options. */
  start(opts: TrackerOptions): void;
  /** The Observations and stats, once the ring is closed and drained. */
  result: Promise<{ found: Observation[]; stats: TrackerStats }>;
  stop(): Promise<void>;
}

export function startTrackerThread(): TrackerThread {
  const ring = createRing();
  const ackFilter = new Uint8Array(new SharedArrayBuffer(ACK_FILTER_SLOTS));
  const worker = new Worker(new URL('./tracker-worker.js', import.meta.url), { workerData: { ring, ackFilter } });
  const result = new Promise<{ found: Observation[]; stats: TrackerStats }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the tracking thread exited (${code}) without results`)));
  });
  result.catch(() => {}); // observed by whoever awaits it
  return {
    ring,
    ackFilter,
    start: (opts) => worker.postMessage(opts),
    result,
    stop: async () => {
      await worker.terminate();
    },
  };
}
