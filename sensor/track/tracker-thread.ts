// Starts the tracking thread of a threaded replay (tracker-worker.ts) with the shared memory it
// works on (the segment ring and the pure-ACK filter), and hands on what it sends back: batches
// of Observations as they arrive, then the stats with the last one.

import { Worker } from 'node:worker_threads';
import type { Observation } from '../../schemas/observation.js';
import { ACK_FILTER_SLOTS } from './flow-table.js';
import { type ObservationBatch, unpackObservations } from './observation-batch.js';
import { createRing, type RingBuffers } from './segment-ring.js';
import type { TrackerOptions, TrackerStats } from './tracker.js';

export interface TrackerThread {
  ring: RingBuffers;
  ackFilter: Uint8Array; // the tracker's filter counters, read by AckGate
  /** The stats, once the ring is closed and drained and every Observation was emitted. */
  result: Promise<TrackerStats>;
  stop(): Promise<void>;
}

/** What the thread posts: packed Observations; the last batch carries the stats. */
export interface TrackerBatch { batch: ObservationBatch; stats?: TrackerStats }

interface Spawned { worker: Worker; ring: RingBuffers; ackFilter: Uint8Array }
let early: Spawned | null = null;

function spawn(): Spawned {
  const ring = createRing();
  const ackFilter = new Uint8Array(new SharedArrayBuffer(ACK_FILTER_SLOTS));
  const worker = new Worker(new URL('./tracker-worker.js', import.meta.url), { workerData: { ring, ackFilter } });
  worker.unref(); // until it is given work: a thread nobody uses must not keep the process up
  return { worker, ring, ackFilter };
}

/**
 * Start the thread now, before its options are known: its isolate and modules load (~50 ms on
 * the replay benchmark's machine) while the command loads and parses its own. The next
 * startTrackerThread() takes it.
 */
export function prestartTrackerThread(): void {
  early ??= spawn();
}

/** A prestarted thread that will not be used (a one-thread replay) is stopped. */
export function dropPrestartedThread(): void {
  void early?.worker.terminate();
  early = null;
}

export function startTrackerThread(opts: TrackerOptions, emit: (o: Observation) => void): TrackerThread {
  const { worker, ring, ackFilter } = early ?? spawn();
  early = null;
  worker.ref();
  worker.postMessage(opts);
  const result = new Promise<TrackerStats>((resolve, reject) => {
    worker.on('message', ({ batch, stats }: TrackerBatch) => {
      unpackObservations(batch, emit);
      if (stats) resolve(stats);
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
