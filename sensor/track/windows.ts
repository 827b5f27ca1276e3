// Aggregation windows: one accumulator per server endpoint per window, turned into one
// Observation when the window closes. Windows follow packet time, so replay is deterministic.
// A closed window waits `graceMs` before it is emitted, so a client ACK arriving just after the
// boundary still upgrades its evidence. windowMs 0 means one window for the whole run. Each
// window also counts the sensor's handshakes checked for capture loss by packet time (for all
// its endpoints: tracker.ts), whether or not it has endpoints.

import type { Observation } from '../../schemas/observation.js';
import { type HomeNetworks, parseHomeNetworks } from '../../schemas/zones.js';
import { ConfigError } from '../../common/errors.js';
import type { Packet } from '../decode/packet.js';
import type { FlowKey } from './flow-key.js';
import { type EndpointColumns, endpointObservation, endpointOrder, WindowTable } from './endpoint-table.js';

/** A client's id in the distinct-client count: its IPv4 address, or a 32-bit hash of its IPv6 one. */
function clientId(k: FlowKey): number {
  if (!k.v6) return k.c0 | 0;
  let h = Math.imul(k.c0 ^ 0x27d4eb2d, 0x165667b1) ^ k.c1;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ k.c2;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ k.c3;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

export interface WindowOptions {
  windowMs: number;
  graceMs: number;
  maxClientsPerEndpoint: number;
  sensorId: string;
  homeNetworks: readonly string[]; // CIDRs: a client inside one is internal, else internet
}

export class EndpointWindows {
  private gens = 0;
  private current: WindowTable;
  private currentEnd = -1; // end of the open window; -1 before the first SYN+ACK
  private closing: WindowTable | null = null;
  private closingDue = 0;
  private readonly home: HomeNetworks;
  // handshakes checked at or after the open window's end, before the window moved on
  private nextChecked = 0;
  private nextMissed = 0;

  constructor(
    private readonly opts: WindowOptions,
    private readonly sink: WindowSink,
  ) {
    const home = parseHomeNetworks(opts.homeNetworks);
    if (!home.ok) throw new ConfigError(`track.homeNetworks: ${home.errors.join('; ')}`);
    this.home = home.value;
    this.current = this.table(0);
  }

  /** The generation of the open window: with accept()'s slot, names an accumulator. */
  get gen(): number {
    return this.current.gen;
  }

  /**
   * A handshake accepted by the server that sent SYN+ACK `p`: counted in the window holding
   * `p.ts` (then `gen`); returns the server's slot there, for complete().
   */
  accept(k: FlowKey, p: Packet): number {
    const ts = p.ts;
    if (ts >= this.currentEnd) this.advance(ts);
    if (this.currentEnd < 0) this.currentEnd = this.windowEnd(ts);
    const w = this.current;
    const s = w.slot(k, p);
    w.handshake(s, p, clientId(k), k);
    return s;
  }

  /** Sampled SYN+ACK `p` (flow key `k`), one in `rate` packets: counted in the window holding `p.ts`. */
  sample(k: FlowKey, p: Packet, rate: number): void {
    const ts = p.ts;
    if (ts >= this.currentEnd) this.advance(ts);
    if (this.currentEnd < 0) this.currentEnd = this.windowEnd(ts);
    const w = this.current;
    w.sampled(w.slot(k, p), p, clientId(k), k, rate);
  }

  /**
   * Another sampled packet `p` (flow key `k`: its source as the server): when the open window
   * holds that endpoint, its destination is one more client of it.
   */
  sampledPacket(k: FlowKey, p: Packet): void {
    if (this.currentEnd < 0 || p.ts >= this.currentEnd) return; // the window holding it has no endpoint yet
    const w = this.current;
    const s = w.find(k);
    if (s >= 0) w.client(s, p, clientId(k), k);
  }

  /** The client's ACK completed the handshake counted in window `gen`, slot `s` (if still open). */
  complete(gen: number, s: number): boolean {
    const w = this.current.gen === gen ? this.current : this.closing?.gen === gen ? this.closing : null;
    if (w === null) return false;
    w.complete(s);
    return true;
  }

  /** A handshake checked for capture loss at time `ts`; `missed`: 1 if one of its packets was missed. */
  checked(ts: number, missed: number): void {
    if (this.currentEnd < 0) this.currentEnd = this.windowEnd(ts);
    if (ts < this.currentEnd) this.current.lossChecked(missed);
    else {
      this.nextChecked++;
      this.nextMissed += missed;
    }
  }

  /** Close and emit windows that time `now` has passed. */
  advance(now: number): void {
    if (this.closing && now >= this.closingDue) this.flushClosing();
    if (this.currentEnd >= 0 && this.opts.windowMs > 0 && now >= this.currentEnd) {
      if (this.closing) this.flushClosing();
      this.closing = this.current;
      this.closingDue = this.currentEnd + this.opts.graceMs;
      this.current = this.nextTable();
      this.currentEnd = this.windowEnd(now);
      if (now >= this.closingDue) this.flushClosing();
    }
  }

  /** Emit everything still open (end of capture, shutdown). */
  flushAll(): void {
    if (this.closing) this.flushClosing();
    this.emitAll(this.current, this.currentEnd);
    this.current = this.nextTable();
    this.currentEnd = -1;
  }

  /** The next window's table, with the checks already counted for it. */
  private nextTable(): WindowTable {
    const w = this.table(++this.gens | 0);
    w.lossCounts(this.nextChecked, this.nextMissed);
    this.nextChecked = 0;
    this.nextMissed = 0;
    return w;
  }

  private table(gen: number): WindowTable {
    return new WindowTable(gen, this.opts.maxClientsPerEndpoint, this.home);
  }

  private windowEnd(ts: number): number {
    const w = this.opts.windowMs;
    return w > 0 ? Math.floor(ts / w) * w + w : Infinity;
  }

  private flushClosing(): void {
    if (this.closing) this.emitAll(this.closing, this.closingDue - this.opts.graceMs);
    this.closing = null;
  }

  private emitAll(w: WindowTable, end: number): void {
    if (w.size > 0) this.sink(w.columns(), end);
  }
}

/** Where a closed window goes, with its end (Infinity for the one window of a run without). */
export type WindowSink = (w: EndpointColumns, end: number) => void;

/** The usual sink: each endpoint of the window as an Observation, in address order. */
export function observationSink(opts: WindowOptions, emit: (o: Observation) => void): WindowSink {
  return (w, end) => {
    const order = w.order ?? endpointOrder(w);
    const start = opts.windowMs > 0 ? end - opts.windowMs : null;
    for (let i = 0; i < order.length; i++) emit(endpointObservation(w, order[i], start, opts.sensorId));
  };
}
