// Starts the tracking thread of a threaded replay (tracker-worker.ts) with the shared memory it
// works on (the segment ring and the pure-ACK filters), and hands on what it sends back: each
// closed window, as columns (turned into Observations here, see observationSink), then the stats.
// Posting the columns instead of Observation objects: a structured clone of Observations writes
// and reads every property name of every object on each side; the columns' numbers and the
// audience arrays are transferred and the address texts cloned as two strings.

import { Worker } from 'node:worker_threads';
import type { Observation } from '../../schemas/observation.js';
import type { AudienceColumns } from '../track/audience.js';
import { ACK_FILTER_BYTES } from '../track/flow-table.js';
import { observationSink } from '../track/windows.js';
import { createRing, type RingBuffers } from './segment-ring.js';
import type { TrackerOptions, TrackerStats } from '../track/tracker.js';

export interface TrackerThread {
  ring: RingBuffers;
  ackFilters: Uint8Array; // the tracker's filter counters, read by AckGate
  /** The stats, once the ring is closed and drained and every Observation was emitted. */
  result: Promise<TrackerStats>;
  stop(): Promise<void>;
}

/** What the thread posts: a closed window (texts newline-separated), or at the end the stats. */
export interface TrackerMessage {
  window?: {
    size: number;
    cols: Float64Array;
    ips: string;
    samples: string;
    audience: AudienceColumns;
    order: Int32Array;
    lossChecked: number;
    lossMissed: number;
  };
  end?: number;
  stats?: TrackerStats;
}

interface Spawned {
  worker: Worker;
  ring: RingBuffers;
  ackFilters: Uint8Array;
  failure: Error | null;
}
let early: Spawned | null = null;

function spawn(): Spawned {
  const ring = createRing();
  const ackFilters = new Uint8Array(new SharedArrayBuffer(ACK_FILTER_BYTES));
  const worker = new Worker(new URL('./tracker-worker.js', import.meta.url), { workerData: { ring, ackFilters } });
  worker.unref(); // until it is given work: a thread nobody uses must not keep the process up
  const s: Spawned = { worker, ring, ackFilters, failure: null };
  // an error or exit before startTrackerThread() listens is kept for it to report
  worker.on('error', (err) => (s.failure ??= err));
  worker.on('exit', (code) => (s.failure ??= new Error(`the tracking thread exited (${code}) without results`)));
  return s;
}

/**
 * Start the thread now, before its options are known: its isolate and modules load while the
 * command loads and parses its own. The next
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
  const spawned = early ?? spawn();
  const { worker, ring, ackFilters } = spawned;
  early = null;
  worker.ref();
  worker.postMessage(opts);
  const sink = observationSink(opts, emit);
  const result = new Promise<TrackerStats>((resolve, reject) => {
    worker.on('message', ({ window: w, end, stats }: TrackerMessage) => {
      if (w) {
        const { ips, samples, ...rest } = w;
        sink({ ...rest, ips: ips.split('\n'), samples: samples.split('\n') }, end!);
      }
      if (stats) resolve(stats);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the tracking thread exited (${code}) without results`)));
    if (spawned.failure) reject(spawned.failure);
  });
  result.catch(() => {}); // observed by whoever awaits it
  return {
    ring,
    ackFilters,
    result,
    stop: async () => {
      await worker.terminate();
    },
  };
}
