// Starts the tracking thread of a threaded replay (tracker-worker.ts) with the shared memory it
// works on (the segment ring and the pure-ACK filter), and gathers what it sends back: batches
// of Observations, the last one with the stats.

import { Worker } from 'node:worker_threads';
import type { Observation } from '../../schemas/observation.js';
import { ACK_FILTER_SLOTS } from './flow-table.js';
import { createRing, type RingBuffers } from './segment-ring.js';
import type { TrackerOptions, TrackerStats } from './tracker.js';

export interface TrackerThread {
  ring: RingBuffers;
  ackFilter: Uint8Array; // the tracker's filter counters, read by AckGate
  /** The Observations and stats, once the ring is closed and drained. */
  result: Promise<{ found: Observation[]; stats: TrackerStats }>;
  stop(): Promise<void>;
}

/** What the thread posts: Observations as they are emitted, in batches; the last carries the stats. */
export interface TrackerBatch { observations: Observation[]; stats?: TrackerStats }

export function startTrackerThread(opts: TrackerOptions): TrackerThread {
  const ring = createRing();
  const ackFilter = new Uint8Array(new SharedArrayBuffer(ACK_FILTER_SLOTS));
  const worker = new Worker(new URL('./tracker-worker.js', import.meta.url), { workerData: { ring, ackFilter, opts } });
  const found: Observation[] = [];
  const result = new Promise<{ found: Observation[]; stats: TrackerStats }>((resolve, reject) => {
    worker.on('message', ({ observations, stats }: TrackerBatch) => {
      for (const o of observations) found.push(o);
      if (stats) resolve({ found, stats });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the tracking thread exited (${code}) without results`)));
  });
  result.catch(() => {}); // observed by whoever awaits it
  return {
    ring,
    ackFilter,
    result,
    stop: async () => {
      await worker.terminate();
    },
  };
}
