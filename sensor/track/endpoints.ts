// Aggregation windows: one accumulator per server endpoint per window, turned into one
// Observation when the window closes. Windows follow packet time, so replay is deterministic.
// A closed window waits `graceMs` before it is emitted, so a client ACK arriving just after the
// boundary still upgrades its evidence. windowMs 0 means one window for the whole run.

import { ipText } from '../../schemas/ip.js';
import { EVIDENCE, OBSERVATION_VERSION, type Observation } from '../../schemas/observation.js';
import type { Packet } from '../decode/packet.js';
import { type FlowKey, sameServer } from './flow-key.js';
import { IdSet } from './id-set.js';

export class EndpointAcc {
  handshakes = 0;
  completed = 0;
  readonly clients: IdSet; // client ids: the IPv4 address, or a 53-bit hash of an IPv6 one
  last: number;
  next: EndpointAcc | null = null; // hash collision chain
  readonly v6: boolean;
  readonly s0: number; readonly s1: number; readonly s2: number; readonly s3: number;
  readonly sport: number;
  readonly c0 = 0; readonly c1 = 0; readonly c2 = 0; readonly c3 = 0; readonly cport = 0;
  readonly ip: string;
  readonly sample: string;
  readonly vlan: number;
  readonly ttl: number;
  readonly window: number;
  readonly mss: number;

  /** From a SYN+ACK: the server is the packet's source. */
  constructor(k: FlowKey, p: Packet, readonly first: number, readonly windowStart: number, maxClients: number) {
    this.clients = new IdSet(maxClients);
    this.v6 = k.v6;
    this.s0 = k.s0; this.s1 = k.s1; this.s2 = k.s2; this.s3 = k.s3;
    this.sport = k.sport;
    this.ip = ipText(p.buf, p.srcOff, p.ipVersion);
    this.sample = ipText(p.buf, p.dstOff, p.ipVersion);
    this.vlan = p.vlan;
    this.ttl = p.ttl;
    this.window = p.window;
    this.mss = p.mss;
    this.last = first;
  }

  get port(): number {
    return this.sport;
  }
}

function clientId(k: FlowKey): number {
  if (!k.v6) return k.c0 >>> 0;
  let a = Math.imul(k.c0 ^ 0x27d4eb2d, 0x165667b1) ^ k.c1;
  a = Math.imul(a ^ (a >>> 15), 0x85ebca6b) ^ k.c2;
  let b = Math.imul(k.c3 ^ 0x9e3779b9, 0xc2b2ae35) ^ k.c2;
  b = Math.imul(b ^ (b >>> 13), 0x85ebca6b) ^ k.c1;
  return (a & 0x1fffff) * 4294967296 + (b >>> 0);
}

export interface WindowOptions {
  windowMs: number;
  graceMs: number;
  maxClientsPerEndpoint: number;
  sensorId: string;
}

const orNull = (n: number): number | null => (n < 0 ? null : n);

export class EndpointWindows {
  private current = new Map<number, EndpointAcc>();
  private currentEnd = -1; // end of the open window; -1 before the first SYN+ACK
  private closing: Map<number, EndpointAcc> | null = null;
  private closingDue = 0;

  constructor(
    private readonly opts: WindowOptions,
    private readonly emit: (o: Observation) => void,
  ) {}

  /** The accumulator, in the window holding time `ts`, for the server that sent SYN+ACK `p`. */
  acc(k: FlowKey, p: Packet, ts: number): EndpointAcc {
    if (ts >= this.currentEnd) this.advance(ts);
    if (this.currentEnd < 0) this.currentEnd = this.windowEnd(ts);
    const sh = k.serverHash();
    const head = this.current.get(sh);
    let a: EndpointAcc | null = head ?? null;
    while (a !== null && !sameServer(a, k)) a = a.next;
    if (a === null) {
      const start = this.opts.windowMs > 0 ? this.currentEnd - this.opts.windowMs : ts;
      a = new EndpointAcc(k, p, ts, start, this.opts.maxClientsPerEndpoint);
      if (head) {
        a.next = head.next;
        head.next = a;
      } else {
        this.current.set(sh, a);
      }
    }
    if (ts > a.last) a.last = ts;
    a.clients.add(clientId(k));
    return a;
  }

  /** Close and emit windows that time `now` has passed. */
  advance(now: number): void {
    if (this.closing && now >= this.closingDue) this.flushClosing();
    if (this.currentEnd >= 0 && this.opts.windowMs > 0 && now >= this.currentEnd) {
      if (this.closing) this.flushClosing();
      this.closing = this.current;
      this.closingDue = this.currentEnd + this.opts.graceMs;
      this.current = new Map();
      this.currentEnd = this.windowEnd(now);
      if (now >= this.closingDue) this.flushClosing();
    }
  }

  /** Emit everything still open (end of capture, shutdown). */
  flushAll(): void {
    if (this.closing) this.flushClosing();
    this.emitAll(this.current);
    this.current = new Map();
    this.currentEnd = -1;
  }

  private windowEnd(ts: number): number {
    const w = this.opts.windowMs;
    return w > 0 ? Math.floor(ts / w) * w + w : Infinity;
  }

  private flushClosing(): void {
    if (this.closing) this.emitAll(this.closing);
    this.closing = null;
  }

  private emitAll(m: Map<number, EndpointAcc>): void {
    for (const head of m.values()) {
      for (let a: EndpointAcc | null = head; a !== null; a = a.next) this.emit(toObservation(a, this.opts.sensorId));
    }
  }
}

export function toObservation(a: EndpointAcc, sensor: string): Observation {
  return {
    v: OBSERVATION_VERSION,
    sensor,
    ip: a.ip,
    port: a.port,
    proto: 'tcp',
    window_start: Math.floor(a.windowStart),
    first_seen: Math.floor(a.first),
    last_seen: Math.floor(a.last),
    handshakes: a.handshakes,
    clients: a.clients.size,
    sample_client: a.sample,
    evidence: a.completed > 0 ? EVIDENCE[0] : EVIDENCE[1],
    vlan: orNull(a.vlan),
    ttl: orNull(a.ttl),
    tcp_window: orNull(a.window),
    mss: orNull(a.mss),
  };
}
