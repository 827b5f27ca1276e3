// The analyzer's per-endpoint detection state, held compactly: one row per endpoint in typed-array
// columns, found through an open-addressing index keyed by (host, protocol, port); each host
// address is stored once, as text, with its port count and whether it is flagged as a SYN proxy.
// States and reasons are interned (a few distinct texts). Rows are never removed one by one: an
// analyzer that loses partitions clears the table and loads what it holds now.
// Limits: up to 2^30 hosts and 2^31 rows; protocols are interned like states (tcp today).

export interface EndpointState {
  ip: string;
  proto: string;
  port: number;
  state: string;
  since: number;
  first_seen: number;
  last_seen: number;
  reason: string;
  version: number;
}

/** A small set of texts stored as their index. */
class Interned {
  private readonly ids = new Map<string, number>();
  readonly texts: string[] = [];
  id(text: string): number {
    let i = this.ids.get(text);
    if (i === undefined) {
      if (this.texts.length === 255) throw new RangeError(`too many distinct values (${text})`);
      i = this.texts.length;
      this.ids.set(text, i);
      this.texts.push(text);
    }
    return i;
  }
}

function grow<T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

const EMPTY = -1;

export class EndpointTable {
  private n = 0;
  private cap: number;
  private host: Int32Array;
  private port: Uint16Array;
  private proto: Uint8Array;
  private stateId: Uint8Array;
  private reasonId: Uint8Array;
  private since: Float64Array;
  private firstSeen: Float64Array;
  private lastSeen: Float64Array;
  private version: Float64Array;
  private persisted: Float64Array;
  private index: Int32Array; // slot -> row, EMPTY when free; size a power of two, at most half full

  private readonly hostIds = new Map<string, number>();
  private hostIp: string[] = [];
  private hostPorts = new Int32Array(1024);
  private hostFlag = new Uint8Array(1024);

  private readonly states = new Interned();
  private readonly reasons = new Interned();
  private readonly protos = new Interned();

  constructor(initialRows = 1024) {
    this.cap = Math.max(16, initialRows);
    this.host = new Int32Array(this.cap);
    this.port = new Uint16Array(this.cap);
    this.proto = new Uint8Array(this.cap);
    this.stateId = new Uint8Array(this.cap);
    this.reasonId = new Uint8Array(this.cap);
    this.since = new Float64Array(this.cap);
    this.firstSeen = new Float64Array(this.cap);
    this.lastSeen = new Float64Array(this.cap);
    this.version = new Float64Array(this.cap);
    this.persisted = new Float64Array(this.cap);
    this.index = new Int32Array(2 * this.cap).fill(EMPTY);
  }

  get size(): number {
    return this.n;
  }

  get hosts(): number {
    return this.hostIp.length;
  }

  /** Bytes held by the columns and the index (host texts and the host map not counted). */
  get columnBytes(): number {
    return (
      this.cap * (4 + 2 + 1 + 1 + 1 + 5 * 8) +
      this.index.byteLength +
      this.hostPorts.byteLength +
      this.hostFlag.byteLength
    );
  }

  clear(): void {
    this.n = 0;
    this.index.fill(EMPTY);
    this.hostIds.clear();
    this.hostIp = [];
    this.hostPorts.fill(0);
    this.hostFlag.fill(0);
  }

  /** The host number of an address, made when `create` (else -1 when unknown). */
  hostOf(ip: string, create: boolean): number {
    let h = this.hostIds.get(ip);
    if (h === undefined) {
      if (!create) return -1;
      h = this.hostIp.length;
      this.hostIds.set(ip, h);
      this.hostIp.push(ip);
      if (h >= this.hostPorts.length) {
        this.hostPorts = grow(this.hostPorts, this.hostPorts.length * 2);
        this.hostFlag = grow(this.hostFlag, this.hostFlag.length * 2);
      }
    }
    return h;
  }

  /** Ports known on a host. */
  portCount(ip: string): number {
    const h = this.hostIds.get(ip);
    return h === undefined ? 0 : this.hostPorts[h];
  }

  flagged(ip: string): boolean {
    const h = this.hostIds.get(ip);
    return h !== undefined && this.hostFlag[h] === 1;
  }

  flag(ip: string): void {
    this.hostFlag[this.hostOf(ip, true)] = 1;
  }

  private slot(h: number, proto: number, port: number): number {
    const mask = this.index.length - 1;
    let s = Math.imul(h ^ Math.imul(port + 1, 0x85ebca6b) ^ (proto << 28), 0x9e3779b1) >>> 0;
    s = (s ^ (s >>> 15)) & mask;
    for (;;) {
      const r = this.index[s];
      if (r === EMPTY || (this.host[r] === h && this.port[r] === port && this.proto[r] === proto)) return s;
      s = (s + 1) & mask;
    }
  }

  /** The row of an endpoint, or -1. */
  find(ip: string, proto: string, port: number): number {
    const h = this.hostIds.get(ip);
    if (h === undefined) return -1;
    return this.index[this.slot(h, this.protos.id(proto), port)];
  }

  /** Add or replace an endpoint's state; returns its row. `persisted`: last_seen as stored. */
  put(s: EndpointState, persistedLastSeen = s.last_seen): number {
    const h = this.hostOf(s.ip, true);
    const p = this.protos.id(s.proto);
    let slot = this.slot(h, p, s.port);
    let r = this.index[slot];
    if (r === EMPTY) {
      if (this.n === this.cap) {
        this.growRows();
        slot = this.slot(h, p, s.port);
      }
      r = this.n++;
      this.index[slot] = r;
      this.host[r] = h;
      this.port[r] = s.port;
      this.proto[r] = p;
      this.hostPorts[h]++;
    }
    this.stateId[r] = this.states.id(s.state);
    this.reasonId[r] = this.reasons.id(s.reason);
    this.since[r] = s.since;
    this.firstSeen[r] = s.first_seen;
    this.lastSeen[r] = s.last_seen;
    this.version[r] = s.version;
    this.persisted[r] = persistedLastSeen;
    return r;
  }

  /** The state of row `r` as an object (made on demand; the table holds no objects). */
  get(r: number): EndpointState {
    return {
      ip: this.hostIp[this.host[r]],
      proto: this.protos.texts[this.proto[r]],
      port: this.port[r],
      state: this.states.texts[this.stateId[r]],
      since: this.since[r],
      first_seen: this.firstSeen[r],
      last_seen: this.lastSeen[r],
      reason: this.reasons.texts[this.reasonId[r]],
      version: this.version[r],
    };
  }

  state(r: number): string {
    return this.states.texts[this.stateId[r]];
  }

  lastSeenOf(r: number): number {
    return this.lastSeen[r];
  }

  persistedLastSeen(r: number): number {
    return this.persisted[r];
  }

  private growRows(): void {
    const cap = this.cap * 2;
    this.host = grow(this.host, cap);
    this.port = grow(this.port, cap);
    this.proto = grow(this.proto, cap);
    this.stateId = grow(this.stateId, cap);
    this.reasonId = grow(this.reasonId, cap);
    this.since = grow(this.since, cap);
    this.firstSeen = grow(this.firstSeen, cap);
    this.lastSeen = grow(this.lastSeen, cap);
    this.version = grow(this.version, cap);
    this.persisted = grow(this.persisted, cap);
    this.cap = cap;
    this.index = new Int32Array(2 * cap).fill(EMPTY);
    for (let r = 0; r < this.n; r++) this.index[this.slot(this.host[r], this.proto[r], this.port[r])] = r;
  }
}
