// Starts the tracking thread of a threaded replay (tracker-worker.ts). The thread allocates the
// shared memory it works on (the segment ring and the pure-ACK filter) and sends it back; its
// options come later, by message. So `porthole replay` can start it before its own modules load
// (this module imports nothing else): a worker takes ~25 ms to start on an idle core and ~50 ms
// on a busy one (measured on the replay benchmark).

import { Worker } from 'node:worker_threads';
import type { Observation } from '../../schemas/observation.js';
import type { RingBuffers } from './segment-ring.js';
import type { TrackerOptions, TrackerStats } from './tracker.js';

export interface TrackerMemory {
  ring: RingBuffers;
  ackFilter: Uint8Array; // the tracker's filter counters, read by AckGate
}

export interface TrackerThread {
  /** The shared memory, once the thread has started. */
  memory: Promise<TrackerMemory>;
  /** Start tracking with these options. */
  start(opts: TrackerOptions): void;
  /** The Observations and stats, once the ring is closed and drained. */
  result: Promise<{ found: Observation[]; stats: TrackerStats }>;
  stop(): Promise<void>;
}

export function startTrackerThread(): TrackerThread {
  const worker = new Worker(new URL('./tracker-worker.js', import.meta.url));
  let gotMemory: (m: TrackerMemory) => void = () => {};
  let gotResult: (r: { found: Observation[]; stats: TrackerStats }) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the tracking thread exited (${code}) without results`)));
  });
  const memory = Promise.race([new Promise<TrackerMemory>((resolve) => (gotMemory = resolve)), failed]);
  const result = Promise.race([new Promise<{ found: Observation[]; stats: TrackerStats }>((resolve) => (gotResult = resolve)), failed]);
  // the thread's first message is its shared memory; then batches of Observations, the last with
  // the stats
  let memorySent = false;
  const found: Observation[] = [];
  worker.on('message', (m: TrackerMemory | { observations: Observation[]; stats?: TrackerStats }) => {
    if (!memorySent) {
      memorySent = true;
      gotMemory(m as TrackerMemory);
      return;
    }
    const { observations, stats } = m as { observations: Observation[]; stats?: TrackerStats };
    for (const o of observations) found.push(o);
    if (stats) gotResult({ found, stats });
  });
  memory.catch(() => {}); // observed by whoever awaits them
  result.catch(() => {});
  return {
    memory,
    start: (opts) => worker.postMessage(opts),
    result,
    stop: async () => {
      await worker.terminate();
    },
  };
}
