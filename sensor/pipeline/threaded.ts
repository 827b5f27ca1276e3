// The packet path split over two threads, for replay on a multi-core machine: this thread reads,
// frames and decodes (counting every outcome, as createPipeline does) and forwards the segments
// the tracker may act on, as records through a shared ring, to a worker thread that runs the
// same Tracker (tracker-worker.ts). Equivalence with the one-thread pipeline: the
// forwarded segments are a superset of those the tracker acts on, and a record carrying only
// the time is sent whenever a skipped segment would have moved the tracker's sweep clock, so the
// tracker sees the same sequence of state changes (a test compares both on every golden capture).
// Pure ACKs the tracker would ignore are not forwarded at all (ack-gate.ts). Sampled segments
// (sFlow) are forwarded as records marked with their sampling rate when the tracker may use them.

import type { Observation } from '../../schemas/observation.js';
import { DecodeCounts, type PipelineStats } from './one-thread.js';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions } from '../decode/encapsulations.js';
import { ACK, RST, SYN } from '../decode/packet.js';
import { AckGate } from './ack-gate.js';
import { markSampled, writeRecord, writeTick } from './segment-records.js';
import { CHUNK_RECORDS, RingWriter } from './segment-ring.js';
import { startTrackerThread } from './tracker-thread.js';
import {
  emptyTrackerStats,
  mayMatter,
  sampleMayMatter,
  SWEEP_MS,
  type TrackerOptions,
  type TrackerStats,
} from '../track/tracker.js';

export interface ThreadedPipeline {
  onFrame(b: Uint8Array, off: number, caplen: number, sec: number, nsec: number, linktype: number): void;
  /** End of input: waits for the tracking thread (its Observations are emitted as they come). */
  finish(): Promise<void>;
  /** Stop the tracking thread without results (input failed). */
  abort(): Promise<void>;
  stats(): PipelineStats;
}

export function createThreadedPipeline(
  opts: TrackerOptions,
  emit: (o: Observation) => void,
  decode: DecodeOptions = DEFAULT_DECODE_OPTIONS,
): ThreadedPipeline {
  const thread = startTrackerThread(opts, emit);
  const { ring, ackFilters, result } = thread;
  const writer = new RingWriter(ring);
  const gate = new AckGate(ackFilters, () => writer.consumed(), (ring.chunks + 1) * CHUNK_RECORDS);
  const d = new DecodeCounts(decode);
  const packet = d.packet;
  let tracker: TrackerStats | null = null;
  // the tracker's clock and next sweep, mirrored: in an array, as a number stored in a closure
  // variable is a new heap object each time, with a write barrier
  const clock = new Float64Array(2);
  const NOW = 0;
  const NEXT_SWEEP = 1;

  /** The sampled segment in `packet` (its rate in d.sampleRate), forwarded when the tracker may use it. */
  const forwardSample = (): void => {
    const ts = packet.ts;
    let sweep = false;
    if (ts > clock[NOW]) {
      clock[NOW] = ts;
      if (ts >= clock[NEXT_SWEEP]) {
        clock[NEXT_SWEEP] = ts + SWEEP_MS;
        sweep = true;
      }
    }
    if (sampleMayMatter(packet)) {
      const n = writer.next();
      writeRecord(writer.view, n, packet);
      markSampled(writer.view, n, d.sampleRate);
    } else if (sweep) {
      const n = writer.next();
      writeTick(writer.view, n, ts);
    }
  };

  return {
    onFrame(b, off, caplen, sec, nsec, linktype) {
      if (!d.frame(b, off, caplen, sec, nsec, linktype)) {
        if (d.sampling) while (d.nextSample()) forwardSample();
        return;
      }
      const ts = packet.ts;
      let sweep = false;
      if (ts > clock[NOW]) {
        clock[NOW] = ts;
        if (ts >= clock[NEXT_SWEEP]) {
          clock[NEXT_SWEEP] = ts + SWEEP_MS;
          sweep = true;
        }
      }
      const f = packet.flags;
      if (mayMatter(packet) && ((f & (SYN | RST)) !== 0 || gate.mayMatter(packet.ack, packet.seq))) {
        const n = writer.next(); // before reading writer.view: next() may move to a new chunk
        writeRecord(writer.view, n, packet);
        if ((f & (SYN | ACK | RST)) === (SYN | ACK)) gate.forwarded(packet.seq, writer.chunk);
        else if ((f & (SYN | RST)) === SYN) gate.forwardedSyn(packet.seq, writer.chunk);
      } else if (sweep) {
        const n = writer.next();
        writeTick(writer.view, n, ts);
      }
    },
    async finish() {
      writer.close();
      tracker = await result;
    },
    async abort() {
      writer.close();
      await thread.stop();
    },
    stats() {
      return d.stats(tracker ?? emptyTrackerStats()); // the tracking thread reports at the end
    },
  };
}
