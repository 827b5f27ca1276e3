// The sensor's packet path, shared by replay and live capture: frame -> decode -> track, with
// a counter per decode outcome. Nothing here is per-packet I/O or logging.

import type { Observation } from '../schemas/observation.js';
import { decodeFrame } from './decode/decode.js';
import { Packet } from './decode/packet.js';
import { REASONS } from './decode/reasons.js';
import { Tracker, type TrackerOptions, type TrackerStats } from './track/tracker.js';

export interface PipelineStats {
  packets: number;
  decoded: number; // TCP segments found
  reasons: Record<string, number>; // non-zero counts by skip/error reason
  tracker: TrackerStats;
  lastPacketMs: number | null;
}

export interface Pipeline {
  onFrame(b: Uint8Array, off: number, caplen: number, tsMs: number, linktype: number): void;
  /** Advance time without packets (live idle), closing windows and expiring flows. */
  tick(nowMs: number): void;
  finish(): void;
  stats(): PipelineStats;
}

export function createPipeline(opts: TrackerOptions, emit: (o: Observation) => void): Pipeline {
  const packet = new Packet();
  const tracker = new Tracker(opts, emit);
  const counts = new Float64Array(REASONS.length);
  let packets = 0;
  let lastTs = -1;

  return {
    onFrame(b, off, caplen, tsMs, linktype) {
      packets++;
      lastTs = tsMs;
      const r = decodeFrame(packet, b, off, caplen, linktype);
      counts[r]++;
      if (r === 0) tracker.onSegment(packet, tsMs);
    },
    tick(nowMs) {
      tracker.advance(nowMs);
    },
    finish() {
      tracker.finish();
    },
    stats() {
      tracker.syncStats();
      return { packets, decoded: counts[0], reasons: countsToReasons(counts), tracker: { ...tracker.stats }, lastPacketMs: lastTs < 0 ? null : lastTs };
    },
  };
}

/** Non-zero decode outcome counts by reason name (index 0, decoded TCP, left out). */
export function countsToReasons(counts: Float64Array): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (let i = 1; i < counts.length; i++) if (counts[i] > 0) reasons[REASONS[i][0]] = counts[i];
  return reasons;
}
