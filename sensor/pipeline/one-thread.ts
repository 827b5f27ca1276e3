// The sensor's packet path, shared by replay and live capture: frame -> decode -> track, with
// a counter per decode outcome. Nothing here is per-packet I/O or logging.

import type { Observation } from '../../schemas/observation.js';
import { frameMs } from '../capture/capture-parser.js';
import { decodeFrame } from '../decode/decode.js';
import { Packet } from '../decode/packet.js';
import { REASONS } from '../decode/reasons.js';
import { observationSink } from '../track/windows.js';
import { Tracker, type TrackerOptions, type TrackerStats } from '../track/tracker.js';

export interface PipelineStats {
  packets: number;
  decoded: number; // TCP segments found
  reasons: Record<string, number>; // non-zero counts by skip/error reason
  tracker: TrackerStats;
  lastPacketMs: number | null;
}

export interface Pipeline {
  onFrame(b: Uint8Array, off: number, caplen: number, sec: number, nsec: number, linktype: number): void;
  /** Advance time without packets (live idle), closing windows and expiring flows. */
  tick(nowMs: number): void;
  finish(): void;
  stats(): PipelineStats;
}

/** The decoding half every packet path shares: one reusable Packet and a count per outcome. */
export class DecodeCounts {
  readonly packet = new Packet();
  private readonly counts = new Float64Array(REASONS.length);
  private packets = 0;
  private lastSec = 0;
  private lastNsec = 0;

  /** Decode one frame; true when it held a TCP segment (now in `packet`, with its time). */
  frame(b: Uint8Array, off: number, caplen: number, sec: number, nsec: number, linktype: number): boolean {
    this.packets++;
    this.lastSec = sec;
    this.lastNsec = nsec;
    const r = decodeFrame(this.packet, b, off, caplen, linktype);
    this.counts[r]++;
    if (r !== 0) return false;
    this.packet.ts = frameMs(sec, nsec);
    return true;
  }

  stats(tracker: TrackerStats): PipelineStats {
    const reasons: Record<string, number> = {};
    for (let i = 1; i < this.counts.length; i++) if (this.counts[i] > 0) reasons[REASONS[i][0]] = this.counts[i];
    return {
      packets: this.packets,
      decoded: this.counts[0],
      reasons,
      tracker,
      lastPacketMs: this.packets === 0 ? null : frameMs(this.lastSec, this.lastNsec),
    };
  }
}

export function createPipeline(opts: TrackerOptions, emit: (o: Observation) => void): Pipeline {
  const d = new DecodeCounts();
  const tracker = new Tracker(opts, observationSink(opts, emit));
  return {
    onFrame(b, off, caplen, sec, nsec, linktype) {
      if (d.frame(b, off, caplen, sec, nsec, linktype)) tracker.onSegment(d.packet);
    },
    tick(nowMs) {
      tracker.advance(nowMs);
    },
    finish() {
      tracker.finish();
    },
    stats() {
      tracker.syncStats();
      return d.stats({ ...tracker.stats });
    },
  };
}
