// The sensor's packet path, shared by replay and live capture: frame -> decode -> track, with
// a counter per decode outcome. A frame that is (or carries) an sFlow datagram is counted once,
// under `sflow` or the reason it could not be read, and each packet header it samples is
// decoded and counted apart (`sampled`) and tracked as a sample. Nothing here is per-packet I/O
// or logging.

import type { Observation } from '../../schemas/observation.js';
import { frameMs } from '../capture/capture-parser.js';
import { decodeFrame } from '../decode/decode.js';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions } from '../decode/encapsulations.js';
import { Packet } from '../decode/packet.js';
import { R, REASONS } from '../decode/reasons.js';
import { SFLOW_DATAGRAM, SFLOW_END, SflowReader } from '../decode/sflow.js';
import { observationSink } from '../track/windows.js';
import { Tracker, type TrackerOptions, type TrackerStats } from '../track/tracker.js';

export interface PipelineStats {
  packets: number;
  decoded: number; // TCP segments found
  reasons: Record<string, number>; // non-zero counts by skip/error reason
  sampled: SampledStats;
  tracker: TrackerStats;
  lastPacketMs: number | null;
}

/** What the frames' sFlow datagrams held (the datagrams themselves are counted as frames). */
export interface SampledStats {
  datagrams: number; // frames that were, or carried, an sFlow datagram (read or not)
  samples: number; // sampled packet headers in them
  counterSamples: number; // counter samples, skipped
  decoded: number; // TCP segments in the sampled headers
  reasons: Record<string, number>; // sampled headers that held none, by reason
}

export interface Pipeline {
  onFrame(b: Uint8Array, off: number, caplen: number, sec: number, nsec: number, linktype: number): void;
  /** Advance time without packets (live idle), closing windows and expiring flows. */
  tick(nowMs: number): void;
  finish(): void;
  stats(): PipelineStats;
}

/**
 * The decoding half every packet path shares: one reusable Packet and a count per outcome. After
 * frame() returns false with `sampling` set, nextSample() gives the datagram's sampled segments.
 */
export class DecodeCounts {
  readonly packet = new Packet();
  /** frame() found an sFlow datagram: its samples are to be read with nextSample() */
  sampling = false;
  /** the sampling rate of the sampled segment nextSample() put in `packet` */
  sampleRate = 0;
  private readonly sflow = new SflowReader();
  private readonly counts = new Float64Array(REASONS.length);
  private readonly sampleCounts = new Float64Array(REASONS.length);
  private packets = 0;
  private datagrams = 0;
  private counterSamples = 0;
  private lastSec = 0;
  private lastNsec = 0;

  constructor(decode: DecodeOptions = DEFAULT_DECODE_OPTIONS) {
    this.packet.teredoAnyPort = decode.teredoAnyPort;
  }

  /** Decode one frame; true when it held a TCP segment (now in `packet`, with its time). */
  frame(b: Uint8Array, off: number, caplen: number, sec: number, nsec: number, linktype: number): boolean {
    this.packets++;
    this.lastSec = sec;
    this.lastNsec = nsec;
    let r: number;
    if (linktype === SFLOW_DATAGRAM) r = this.openSflow(b, off, off + caplen);
    else {
      r = decodeFrame(this.packet, b, off, caplen, linktype);
      if (r === R.SFLOW) r = this.openSflow(b, this.packet.sflowOff, this.packet.sflowEnd);
    }
    if (r === R.SFLOW) return false; // counted when its samples are read
    this.counts[r]++;
    if (r !== 0) return false;
    this.packet.ts = frameMs(sec, nsec);
    return true;
  }

  /**
   * The next sampled TCP segment of the datagram frame() found, in `packet` with the frame's time
   * (its rate in `sampleRate`); false when there is none left (the datagram is then counted).
   */
  nextSample(): boolean {
    if (!this.sampling) return false;
    const p = this.packet;
    for (;;) {
      const r = this.sflow.next(p);
      if (r === SFLOW_END) {
        this.sampling = false;
        this.counterSamples += this.sflow.counterSamples;
        this.counts[this.sflow.status === 0 ? R.SFLOW : this.sflow.status]++;
        return false;
      }
      this.sampleCounts[r]++;
      if (r === 0) {
        p.ts = frameMs(this.lastSec, this.lastNsec);
        this.sampleRate = this.sflow.rate;
        return true;
      }
    }
  }

  private openSflow(b: Uint8Array, off: number, end: number): number {
    this.datagrams++;
    const r = this.sflow.open(b, off, end);
    this.sampling = r === 0;
    return r === 0 ? R.SFLOW : r;
  }

  stats(tracker: TrackerStats): PipelineStats {
    let samples = 0;
    for (let i = 0; i < this.sampleCounts.length; i++) samples += this.sampleCounts[i];
    return {
      packets: this.packets,
      decoded: this.counts[0],
      reasons: nonZero(this.counts),
      sampled: {
        datagrams: this.datagrams,
        samples,
        counterSamples: this.counterSamples,
        decoded: this.sampleCounts[0],
        reasons: nonZero(this.sampleCounts),
      },
      tracker,
      lastPacketMs: this.packets === 0 ? null : frameMs(this.lastSec, this.lastNsec),
    };
  }
}

/** The non-zero counts by reason (index 0, ok, left out). */
function nonZero(counts: Float64Array): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (let i = 1; i < counts.length; i++) if (counts[i] > 0) reasons[REASONS[i][0]] = counts[i];
  return reasons;
}

export function createPipeline(
  opts: TrackerOptions,
  emit: (o: Observation) => void,
  decode: DecodeOptions = DEFAULT_DECODE_OPTIONS,
): Pipeline {
  const d = new DecodeCounts(decode);
  const tracker = new Tracker(opts, observationSink(opts, emit));
  return {
    onFrame(b, off, caplen, sec, nsec, linktype) {
      if (d.frame(b, off, caplen, sec, nsec, linktype)) tracker.onSegment(d.packet);
      else if (d.sampling) while (d.nextSample()) tracker.onSample(d.packet, d.sampleRate);
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
