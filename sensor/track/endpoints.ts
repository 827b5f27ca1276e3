// Aggregation windows: one accumulator per server endpoint per window, turned into one
// Observation when the window closes. Windows follow packet time, so replay is deterministic.
// A closed window waits `graceMs` before it is emitted, so a client ACK arriving just after the
// boundary still upgrades its evidence. windowMs 0 means one window for the whole run.

import { EVIDENCE, OBSERVATION_VERSION, type Observation } from '../../schemas/observation.js';

export class EndpointAcc {
  handshakes = 0;
  completed = 0;
  clients = new Set<string>();
  last: number;
  constructor(
    readonly ip: string,
    readonly port: number,
    readonly first: number,
    readonly sample: string,
    readonly vlan: number,
    readonly ttl: number,
    readonly window: number,
    readonly mss: number,
  ) {
    this.last = first;
  }
}

export interface WindowOptions {
  windowMs: number;
  graceMs: number;
  maxClientsPerEndpoint: number;
  sensorId: string;
}

const orNull = (n: number): number | null => (n < 0 ? null : n);

export class EndpointWindows {
  private current = new Map<string, EndpointAcc>();
  private currentEnd = -1; // end of the open window; -1 before the first SYN+ACK
  private closing: Map<string, EndpointAcc> | null = null;
  private closingDue = 0;

  constructor(
    private readonly opts: WindowOptions,
    private readonly emit: (o: Observation) => void,
  ) {}

  /** The accumulator for an endpoint in the window holding time `ts`. */
  acc(ip: string, port: number, ts: number, client: string, vlan: number, ttl: number, win: number, mss: number): EndpointAcc {
    this.advance(ts);
    if (this.currentEnd < 0) this.currentEnd = this.windowEnd(ts);
    const key = `${ip}|${port}`;
    let a = this.current.get(key);
    if (!a) {
      a = new EndpointAcc(ip, port, ts, client, vlan, ttl, win, mss);
      this.current.set(key, a);
    }
    if (ts > a.last) a.last = ts;
    if (a.clients.size < this.opts.maxClientsPerEndpoint) a.clients.add(client);
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

  private emitAll(m: Map<string, EndpointAcc>): void {
    for (const a of m.values()) this.emit(toObservation(a, this.opts.sensorId));
  }
}

export function toObservation(a: EndpointAcc, sensor: string): Observation {
  return {
    v: OBSERVATION_VERSION,
    sensor,
    ip: a.ip,
    port: a.port,
    proto: 'tcp',
    first_seen: Math.floor(a.first),
    last_seen: Math.floor(a.last),
    handshakes: a.handshakes,
    clients: a.clients.size,
    sample_client: a.sample,
    evidence: a.completed > 0 ? EVIDENCE[0] : EVIDENCE[1],
    vlan: orNull(a.vlan),
    ttl: orNull(a.ttl),
    window: orNull(a.window),
    mss: orNull(a.mss),
  };
}
