// The handshake state machine: decides from decoded TCP segments which server endpoints accept
// connections. SYN opens a flow (S0); the server's SYN+ACK makes the endpoint observed (S1); the
// client's ACK of it completes the handshake (evidence "handshake"). A SYN+ACK without a SYN
// (one-sided mirror) still counts, as evidence "synack". A SYN answered by RST is "rejected";
// one never answered before synTimeoutMs is "unanswered". One rule for RST: a segment with RST
// set is a reset whatever else is set, so SYN+RST is no SYN and SYN+ACK+RST no accepting
// SYN+ACK (answering a SYN, either is "rejected"). Retransmitted and SPAN-duplicated
// SYNs and SYN+ACKs (same sequence number) are counted once.
// Capture loss is estimated from the handshakes themselves: a handshake is checked when its
// client's closing segment (the ACK of the SYN+ACK, or a RST in its place) is seen with its SYN
// or its SYN+ACK, and the other one of those two is then missed or seen. A closing segment on a
// flow whose SYN was seen but not its SYN+ACK misses a SYN+ACK (its sequence number is client
// ISN + 1); one answering a SYN+ACK whose SYN was not seen misses a SYN, since the client's
// direction is visible, except for flows the sensor saw start within LOSS_WARMUP_MS of its first
// packet (their SYN may predate the capture). See loss.ts for the estimate and its limits.
// Connections from the scanner's own addresses (`scannerAddresses`: the verifier's nmap probes)
// are not tracked at all: they never count as handshakes or clients.
// Sampled packets (sFlow: one packet in `rate`, onSample) have no handshake context: a sampled
// SYN+ACK (not RST) proves its sender a service, with evidence "sampled" and estimated counts
// (windows.ts); another sampled packet from an endpoint the open window holds names one more
// client (its destination). Samples touch no flow and no loss count.
// Limits: no reassembly, no sequence-window checks beyond the handshake's ack numbers; SYN
// cookies and simultaneous open are seen as ordinary handshakes; a SYN+ACK the mirror delivers
// after the client's ACK counts as missed (then as a one-sided SYN+ACK).

import { ConfigError } from '../../common/errors.js';
import { DEFAULT_INTERNAL_RANGES, type HomeNetworks, parseHomeNetworks } from '../../schemas/zones.js';
import { ACK, RST, SYN, type Packet } from '../decode/packet.js';
import { EndpointWindows, type WindowSink } from './windows.js';
import { FlowKey } from './flow-key.js';
import { FlowTable, STATE_DONE, STATE_FREE, STATE_REJ, STATE_SYN, STATE_SYNACK } from './flow-table.js';

export interface TrackerOptions {
  sensorId: string;
  windowMs: number; // aggregation window; 0 = one window for the whole run
  graceMs: number;
  maxFlows: number;
  synTimeoutMs: number;
  maxClientsPerEndpoint: number;
  homeNetworks: readonly string[]; // CIDRs of the internal zone
  scannerAddresses: readonly string[]; // clients whose connections are not tracked (addresses or CIDRs)
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  sensorId: 'sensor',
  windowMs: 5000,
  graceMs: 1000,
  maxFlows: 1_000_000,
  synTimeoutMs: 30_000,
  maxClientsPerEndpoint: 4096,
  homeNetworks: DEFAULT_INTERNAL_RANGES,
  scannerAddresses: [],
};

/** Packet time between sweeps (flow expiry, window closing) driven by the packets themselves. */
export const SWEEP_MS = 250;

/**
 * A SYN+ACK this soon after the sensor's first packet may answer a SYN sent before it: its flow
 * is not checked for a missed SYN (a SYN+ACK comes one round trip after the SYN, or after the
 * server's retransmissions: 1 s, then 2 s later).
 */
export const LOSS_WARMUP_MS = 3000;

/**
 * Whether onSegment may do anything with `p` besides advancing its clock: SYN, RST, or an ACK
 * without payload. (A cheap superset of what it acts on, for threads that forward segments.)
 */
export function mayMatter(p: Packet): boolean {
  return (p.flags & (SYN | RST)) !== 0 || ((p.flags & ACK) !== 0 && !(p.payload > 0));
}

/** Whether onSample may do anything with `p` besides advancing its clock: a SYN+ACK, or no SYN and no RST. */
export function sampleMayMatter(p: Packet): boolean {
  const f = p.flags;
  return (f & (SYN | ACK | RST)) === (SYN | ACK) || (f & (SYN | RST)) === 0;
}

export interface TrackerStats {
  syns: number; // distinct client SYNs
  accepted: number; // distinct SYN+ACKs: connections an endpoint accepted
  completed: number; // accepted connections whose SYN and client ACK were also seen
  oneSided: number; // SYN+ACKs whose SYN was not seen
  rejected: number; // SYNs answered by RST
  unanswered: number; // SYNs never answered
  duplicates: number; // retransmitted or SPAN-duplicated SYN / SYN+ACK
  scanner: number; // SYN+ACKs to the scanner's own addresses, not counted
  evictions: number; // flows pushed out of the full table
  flows: number; // flows in the table now
  lossChecked: number; // handshakes checked for capture loss (see the header)
  missedSyn: number; // of those, SYNs the sensor did not see
  missedSynAck: number; // and SYN+ACKs it did not see
  sampledSynAcks: number; // sampled SYN+ACKs (sFlow) taken as evidence of a service
}

export function emptyTrackerStats(): TrackerStats {
  return {
    syns: 0,
    accepted: 0,
    completed: 0,
    oneSided: 0,
    rejected: 0,
    unanswered: 0,
    duplicates: 0,
    scanner: 0,
    evictions: 0,
    flows: 0,
    lossChecked: 0,
    missedSyn: 0,
    missedSynAck: 0,
    sampledSynAcks: 0,
  };
}

export class Tracker {
  readonly stats: TrackerStats = emptyTrackerStats();
  private readonly table: FlowTable;
  private readonly windows: EndpointWindows;
  private readonly key = new FlowKey();
  /** the scanner's addresses, or null when none is set */
  private readonly scanners: HomeNetworks | null;
  /** the last prefetch's result, kept (and readable) so that its loads are not optimised away */
  prefetched = 0;
  private now = 0;
  private nextSweep = 0;
  private warmUntil = -1; // flows created before this are not checked for a missed SYN
  private readonly onExpire = (state: number): void => {
    if (state === STATE_SYN) this.stats.unanswered++;
  };

  /**
   * `sink`: where closed windows go (usually observationSink(opts, emit)); `ackFilters`: where the
   * flow table keeps its pure-ACK filters (ACK_FILTER_BYTES; shared memory for AckGate).
   */
  constructor(
    private readonly opts: TrackerOptions,
    sink: WindowSink,
    ackFilters?: Uint8Array,
  ) {
    const scanners = parseHomeNetworks(opts.scannerAddresses);
    if (!scanners.ok) throw new ConfigError(`track.scannerAddresses: ${scanners.errors.join('; ')}`);
    this.scanners = opts.scannerAddresses.length ? scanners.value : null;
    this.table = new FlowTable(opts.maxFlows, ackFilters);
    this.windows = new EndpointWindows(opts, sink);
  }

  /** The flow-table hash SYN `p` will be looked up by, for prefetch(). */
  synHash(p: Packet): number {
    return this.key.load(p.buf, p.ipVersion === 6, p.srcOff, p.dstOff, p.sport, p.dport).hash;
  }

  /**
   * Before feeding a batch of segments: load the flow-table entries its SYNs will look up
   * (`hashes` from synHash), together rather than one cache miss at a time. Only a hint: the
   * results are the same without it.
   */
  prefetch(hashes: Int32Array, count: number): void {
    this.prefetched = this.table.prefetch(hashes, count);
  }

  /** Feed one decoded TCP segment (captured at `p.ts`). */
  onSegment(p: Packet): void {
    const ts = p.ts;
    if (ts > this.now) {
      this.now = ts;
      if (ts >= this.nextSweep) this.advance(ts);
    }
    const f = p.flags;
    if (f & RST) {
      this.onRst(p); // whatever else is set (the one rule for RST, above)
    } else if (f & SYN) {
      if (f & ACK) this.onSynAck(p);
      else this.onSyn(p);
    } else if (f & ACK) {
      this.onAck(p);
    }
  }

  /** Feed one sampled TCP segment (captured at `p.ts`), one packet in `rate` (an sFlow sample). */
  onSample(p: Packet, rate: number): void {
    const ts = p.ts;
    if (ts > this.now) {
      this.now = ts;
      if (ts >= this.nextSweep) this.advance(ts);
    }
    if (!sampleMayMatter(p)) return;
    // the sender as the server, the destination as its client
    const k = this.key.load(p.buf, p.ipVersion === 6, p.dstOff, p.srcOff, p.dport, p.sport);
    if (this.scanners?.internal(k.v6, k.c0, k.c1, k.c2, k.c3)) {
      if (p.flags & SYN) this.stats.scanner++;
      return;
    }
    if (p.flags & SYN) {
      this.stats.sampledSynAcks++;
      this.windows.sample(k, p, rate);
    } else {
      this.windows.sampledPacket(k, p);
    }
  }

  /** Expire old flows and close finished windows; called per second of packet time and by timers. */
  advance(now: number): void {
    if (now > this.now) this.now = now;
    if (this.warmUntil < 0) this.warmUntil = this.now + LOSS_WARMUP_MS; // the first packet or tick
    this.nextSweep = this.now + SWEEP_MS;
    this.table.expire(this.now - this.opts.synTimeoutMs, this.onExpire);
    this.windows.advance(this.now);
    this.syncStats();
  }

  /** End of input: unanswered SYNs are counted and every open window is emitted. */
  finish(): void {
    this.stats.unanswered += this.table.drain();
    this.windows.flushAll();
    this.syncStats();
  }

  /** Bring `stats.flows` and `stats.evictions` up to date. */
  syncStats(): void {
    this.stats.flows = this.table.size;
    this.stats.evictions = this.table.evictions;
  }

  private onSyn(p: Packet): void {
    const t = this.table;
    const k = this.key.load(p.buf, p.ipVersion === 6, p.srcOff, p.dstOff, p.sport, p.dport);
    if (this.scanners?.internal(k.v6, k.c0, k.c1, k.c2, k.c3)) return;
    const old = t.get(k);
    if (old >= 0) {
      if (t.sawSyn(old) && t.cisn(old) === p.seq) {
        this.stats.duplicates++;
        return;
      }
      this.onExpire(t.state(old)); // port reused with a new ISN
      t.remove(old);
    }
    this.stats.syns++;
    const r = t.insert(k, p.ts, STATE_SYN, p.seq);
    t.setSawSyn(r, true);
  }

  private onSynAck(p: Packet): void {
    const t = this.table;
    // the SYN+ACK travels server -> client: the client is its destination
    const k = this.key.load(p.buf, p.ipVersion === 6, p.dstOff, p.srcOff, p.dport, p.sport);
    if (this.scanners?.internal(k.v6, k.c0, k.c1, k.c2, k.c3)) {
      this.stats.scanner++;
      return;
    }
    let r = t.get(k);
    if (r >= 0) {
      const state = t.state(r);
      if ((state === STATE_SYNACK || state === STATE_DONE) && t.sisn(r) === p.seq) {
        this.stats.duplicates++;
        return;
      }
      if (state !== STATE_SYN) {
        t.remove(r); // a new connection on a reused port
        r = -1;
      }
    }
    const sawSyn = r >= 0 && p.ack === (t.cisn(r) + 1) >>> 0;
    if (r < 0) r = t.insert(k, p.ts, STATE_FREE, 0);
    t.setSisn(r, p.seq); // before the state: the ACK filter is keyed by it
    t.setState(r, STATE_SYNACK);
    t.setSawSyn(r, sawSyn);
    if (!sawSyn) {
      t.setCisn(r, p.ack - 1); // the ISN it acknowledges: the client's closing segment carries it + 1
      this.stats.oneSided++;
    }
    this.stats.accepted++;
    const slot = this.windows.accept(k, p);
    t.setAcc(r, this.windows.gen, slot);
  }

  private onRst(p: Packet): void {
    const t = this.table;
    const v6 = p.ipVersion === 6;
    // from the server: answers a SYN (rejected) — the client is the destination
    let r = t.get(this.key.load(p.buf, v6, p.dstOff, p.srcOff, p.dport, p.sport));
    if (r >= 0 && t.state(r) === STATE_SYN) {
      this.stats.rejected++;
      t.setState(r, STATE_REJ);
      return;
    }
    // from the client: aborts its own attempt (a SYN scan's RST after the SYN+ACK)
    r = t.get(this.key.load(p.buf, v6, p.srcOff, p.dstOff, p.sport, p.dport));
    if (r < 0) return;
    const state = t.state(r);
    if (state === STATE_SYNACK) {
      if (p.seq === (t.cisn(r) + 1) >>> 0) this.checkSynAcked(r, p.ts);
      t.setState(r, STATE_DONE);
    } else if (state === STATE_SYN && p.seq === (t.cisn(r) + 1) >>> 0) {
      this.checkSynOnly(r, p.ts); // a RST only answers a SYN+ACK
    }
  }

  private onAck(p: Packet): void {
    // only a payload-less ACK completes a handshake here, as in the live sensor's kernel filter
    if (p.payload > 0) return;
    const t = this.table;
    if (!t.mayAwaitAck(p.ack) && !t.mayAwaitSeq(p.seq)) return; // the common case: an ACK of data
    const k = this.key.load(p.buf, p.ipVersion === 6, p.srcOff, p.dstOff, p.sport, p.dport);
    const r = t.get(k);
    if (r < 0) return;
    const state = t.state(r);
    if (state === STATE_SYNACK && p.ack === (t.sisn(r) + 1) >>> 0) {
      if (t.sawSyn(r) && this.windows.complete(t.accGen(r), t.accSlot(r))) this.stats.completed++;
      if (t.sawSyn(r) || p.seq === (t.cisn(r) + 1) >>> 0) this.checkSynAcked(r, p.ts);
      t.setState(r, STATE_DONE);
    } else if (state === STATE_SYN && p.seq === (t.cisn(r) + 1) >>> 0) {
      this.checkSynOnly(r, p.ts); // the client acknowledged a SYN+ACK the sensor did not see
    }
  }

  /** The client closed the handshake of flow `r`, whose SYN+ACK was seen: was its SYN? */
  private checkSynAcked(r: number, ts: number): void {
    const t = this.table;
    if (t.sawSyn(r)) {
      this.stats.lossChecked++;
      this.windows.checked(ts, 0);
    } else if (t.time(r) >= this.warmUntil) {
      this.stats.lossChecked++;
      this.stats.missedSyn++;
      this.windows.checked(ts, 1);
    }
  }

  /** The client closed the handshake of flow `r`, whose SYN was seen but not its SYN+ACK. */
  private checkSynOnly(r: number, ts: number): void {
    this.stats.lossChecked++;
    this.stats.missedSynAck++;
    this.windows.checked(ts, 1);
    this.table.setState(r, STATE_DONE); // answered: not counted as unanswered when it expires
  }
}
