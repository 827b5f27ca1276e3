// One aggregation window's endpoint accumulators, stored as columns of typed arrays with no
// object per endpoint or per client: an open-addressing index over the server hash finds an
// endpoint's slot, and one shared open-addressing set of (slot, client id) pairs counts
// distinct clients. A SYN+ACK then costs two or three independent cache misses instead of the
// chain Map → object → set object → typed array → backing store that it cost with objects
// (see benchmarks/README.md). A pair is
// two int32 (8 bytes): client ids are IPv4 addresses, or a 32-bit hash of an IPv6 address.
// A new distinct client's zone (from its address words) is kept in its pair, and the first few
// clients as address texts (MAX_SAMPLE_CLIENTS strings per slot, made when the client comes: in
// the threaded replay that is the tracking thread, while the decoding thread is busy). When the
// window closes one pass over the pairs counts each slot's internal clients and fills its zones'
// sketches (audience.ts): sequential reads instead of two more cache misses per new client.
// Limits: a slot's client count stops at maxClients (a lower bound past it; the sketches still
// take every client); two IPv6 clients of one endpoint whose hashes collide count once (with k
// clients, odds about k^2 / 2^33: 0.2% of one client less at the 4096 cap).
// A slot made only by sampled SYN+ACKs (sFlow) gives evidence "sampled": its handshakes are the
// sum of their sampling rates (an estimate), its clients the distinct destinations of the
// sampled packets it sent (a lower bound). Once a mirrored SYN+ACK of the endpoint is seen in the
// window, the slot's counts are the mirrored ones (exact; samples of the same traffic would count
// it twice) and only the sampled clients still add.

import { EVIDENCE, MAX_SAMPLE_CLIENTS, OBSERVATION_VERSION, type Observation } from '../../schemas/observation.js';
import type { HomeNetworks } from '../../schemas/zones.js';
import type { Packet } from '../decode/packet.js';
import { Audience, type AudienceColumns, internalClients, sketchOf, ZONE_INTERNAL, ZONE_INTERNET } from './audience.js';
import type { FlowKey } from './flow-key.js';
import { ipText } from '../../schemas/ip.js';

// per-endpoint numeric columns, one Float64Array row of S values per slot; what a SYN+ACK reads
// and updates is in the first eight (one cache line)
const S = 16;
const KEY = 0; // server hash * 2^17 + (sport | v6 << 16)
const K0 = 1; // s0..s3 at 1..4
const HANDSHAKES = 5;
const LAST = 6;
const CLIENTS = 7;
const COMPLETED = 8;
const FIRST = 9;
const VLAN = 10;
const TTL = 11;
const WINDOW = 12;
const MSS = 13;
const SAMPLED = 14; // sum of the sampling rates of the sampled SYN+ACKs
const RATE = 15; // the highest sampling rate among them
const SPORT_BITS = 131072; // 2^17
const ZONE_BIT = 0x40000000; // in a pair's tag: the client is internal (slots stay below it)

/**
 * A closed window's endpoints as plain data: what Observations are made from, in this thread or
 * in another (the threaded replay posts it, its numbers transferred without a copy).
 */
export interface EndpointColumns {
  size: number;
  cols: Float64Array; // S values per slot, for slots 0..size-1 (the array may be longer)
  ips: string[];
  samples: string[]; // MAX_SAMPLE_CLIENTS per slot ('' where none)
  audience: AudienceColumns;
  order?: Int32Array; // endpointOrder(), when already computed (the tracking thread sorts before posting)
  lossChecked: number; // the sensor's handshakes checked for capture loss in the window (tracker.ts)
  lossMissed: number; // of them, those missing a SYN or a SYN+ACK
}

/** Slot `s` of a closed window as an Observation; `windowStart` null: its first SYN+ACK. */
export function endpointObservation(
  w: EndpointColumns,
  s: number,
  windowStart: number | null,
  sensor: string,
): Observation {
  const o = s * S;
  const c = w.cols;
  const clients = c[o + CLIENTS];
  const sampled = c[o + HANDSHAKES] === 0; // the slot was made by a sampled SYN+ACK, and no mirrored one came
  const internal = internalClients(w.audience, s);
  const samples = w.samples.slice(
    s * MAX_SAMPLE_CLIENTS,
    s * MAX_SAMPLE_CLIENTS + Math.min(clients, MAX_SAMPLE_CLIENTS),
  );
  return {
    v: OBSERVATION_VERSION,
    sensor,
    ip: w.ips[s],
    port: (c[o + KEY] % SPORT_BITS) & 0xffff,
    proto: 'tcp',
    window_start: Math.floor(windowStart ?? c[o + FIRST]),
    first_seen: Math.floor(c[o + FIRST]),
    last_seen: Math.floor(c[o + LAST]),
    handshakes: sampled ? Math.min(c[o + SAMPLED], MAX_U32) : c[o + HANDSHAKES],
    clients,
    sample_client: samples[0], // the client of the SYN+ACK that made the slot: always counted
    evidence: c[o + COMPLETED] > 0 ? EVIDENCE[0] : sampled ? EVIDENCE[2] : EVIDENCE[1],
    vlan: orNull(c[o + VLAN]),
    ttl: orNull(c[o + TTL]),
    tcp_window: orNull(c[o + WINDOW]),
    mss: orNull(c[o + MSS]),
    clients_internal: internal,
    clients_internet: clients - internal,
    sample_clients: samples,
    hll_internal: sketchOf(w.audience, s, ZONE_INTERNAL),
    hll_internet: sketchOf(w.audience, s, ZONE_INTERNET),
    loss_checked: w.lossChecked,
    loss_missed: w.lossMissed,
    sampling_rate: sampled ? c[o + RATE] : null,
  };
}

const MAX_U32 = 0xffffffff;
const orNull = (n: number): number | null => (n < 0 ? null : n);

/** The slots in endpoint order: IPv4 before IPv6, then address (as a number), then port. */
export function endpointOrder(w: EndpointColumns): Int32Array {
  const c = w.cols;
  const slots = new Int32Array(w.size);
  for (let s = 0; s < slots.length; s++) slots[s] = s;
  return slots.sort((a, b) => {
    const oa = a * S;
    const ob = b * S;
    const fa = c[oa + KEY] % SPORT_BITS; // sport | v6 << 16
    const fb = c[ob + KEY] % SPORT_BITS;
    if (fa >> 16 !== fb >> 16) return (fa >> 16) - (fb >> 16);
    for (let k = K0; k < K0 + 4; k++) {
      if (c[oa + k] !== c[ob + k]) return (c[oa + k] >>> 0) - (c[ob + k] >>> 0);
    }
    return fa - fb;
  });
}

export class WindowTable {
  size = 0; // endpoints
  private cols = new Float64Array(256 * S);
  private index = new Int32Array(512); // slot + 1, 0 empty
  private readonly ips: string[] = [];
  private readonly samples: string[] = [];
  private readonly audience: Audience;
  private pairs = new Int32Array(2 * 1024); // (slot + 1 | zone bit, client id); 0 = empty
  private pairCount = 0;
  private checked = 0; // handshakes checked for capture loss (the sensor's, not per endpoint)
  private missed = 0;

  constructor(
    readonly gen: number, // which window this is, so flows can point back at their slot
    private readonly maxClients: number,
    private readonly home: HomeNetworks,
  ) {
    this.audience = new Audience();
  }

  /** The slot of the server of flow key `k`, or -1 when the window has none. */
  find(k: FlowKey): number {
    const i = this.probe(k);
    return this.index[i] - 1;
  }

  /** The slot of the server of SYN+ACK `p` (flow key `k`), created at its time if new. */
  slot(k: FlowKey, p: Packet): number {
    const i = this.probe(k);
    const e = this.index[i];
    if (e !== 0) return e - 1;
    const h = k.serverHash();
    const c = this.cols;
    const index = this.index;
    const key = h * SPORT_BITS + (k.sport | (k.v6 ? 0x10000 : 0));
    const s = this.size++;
    if ((s + 1) * S > c.length) {
      this.growCols();
      this.audience.reserve(this.cols.length / S);
    }
    const o = s * S;
    const cols = this.cols;
    cols[o + KEY] = key;
    cols[o + K0] = k.s0;
    cols[o + K0 + 1] = k.s1;
    cols[o + K0 + 2] = k.s2;
    cols[o + K0 + 3] = k.s3;
    cols[o + FIRST] = p.ts;
    cols[o + LAST] = p.ts;
    cols[o + VLAN] = p.vlan;
    cols[o + TTL] = p.ttl;
    cols[o + WINDOW] = p.window;
    cols[o + MSS] = p.mss;
    this.ips.push(ipText(p.buf, p.srcOff, p.ipVersion));
    for (let i = 0; i < MAX_SAMPLE_CLIENTS; i++) this.samples.push(''); // dense: written in any slot order
    index[i] = s + 1;
    if (this.size * 2 > index.length) this.growIndex();
    return s;
  }

  /** The index position of the server of flow key `k`: its entry, or the empty one where it goes. */
  private probe(k: FlowKey): number {
    const h = k.serverHash();
    const c = this.cols;
    const index = this.index;
    const mask = index.length - 1;
    const key = h * SPORT_BITS + (k.sport | (k.v6 ? 0x10000 : 0));
    let i = h & mask;
    for (;;) {
      const e = index[i];
      if (e === 0) return i;
      const o = (e - 1) * S;
      if (
        c[o + KEY] === key &&
        c[o + K0] === k.s0 &&
        c[o + K0 + 1] === k.s1 &&
        c[o + K0 + 2] === k.s2 &&
        c[o + K0 + 3] === k.s3
      )
        return i;
      i = (i + 1) & mask;
    }
  }

  /** Slot `s` accepted SYN+ACK `p` (flow key `k`) from client `client` (an int32 id). */
  handshake(s: number, p: Packet, client: number, k: FlowKey): void {
    const ts = p.ts;
    const o = s * S;
    const c = this.cols;
    c[o + HANDSHAKES]++;
    if (ts > c[o + LAST]) c[o + LAST] = ts;
    this.client(s, p, client, k);
  }

  /** Slot `s` sent sampled SYN+ACK `p` (flow key `k`, client `client`), one in `rate` packets. */
  sampled(s: number, p: Packet, client: number, k: FlowKey, rate: number): void {
    const ts = p.ts;
    const o = s * S;
    const c = this.cols;
    c[o + SAMPLED] += rate;
    if (rate > c[o + RATE]) c[o + RATE] = rate;
    if (ts > c[o + LAST]) c[o + LAST] = ts;
    this.client(s, p, client, k);
  }

  /** Count client `client` of slot `s` (the destination of `p`, flow key `k`) if it is new. */
  client(s: number, p: Packet, client: number, k: FlowKey): void {
    const o = s * S;
    const c = this.cols;
    const n = c[o + CLIENTS];
    if (n < this.maxClients) {
      if (!this.addPair(s + 1, client, k)) return;
      c[o + CLIENTS] = n + 1;
      if (n < MAX_SAMPLE_CLIENTS) this.samples[s * MAX_SAMPLE_CLIENTS + n] = ipText(p.buf, p.dstOff, p.ipVersion);
    } else {
      // past the cap the pair set cannot tell a new client; a sketch takes a repeat unchanged
      this.audience.add(s, this.internal(k), client);
    }
  }

  /** The client's ACK completed a handshake of slot `s`. */
  complete(s: number): void {
    this.cols[s * S + COMPLETED]++;
  }

  /** One handshake checked for capture loss; `missed` 1 when it lacked its SYN or SYN+ACK. */
  lossChecked(missed: number): void {
    this.checked++;
    this.missed += missed;
  }

  /** Start from these loss counts (checks made before the window opened). */
  lossCounts(checked: number, missed: number): void {
    this.checked = checked;
    this.missed = missed;
  }

  /** The window's endpoints as plain data, its audience filled (the table is not used after this). */
  columns(): EndpointColumns {
    const pairs = this.pairs;
    for (let j = 0; j < pairs.length; j += 2) {
      const t = pairs[j];
      if (t === 0) continue;
      const internal = (t & ZONE_BIT) !== 0;
      const s = (t & ~ZONE_BIT) - 1;
      if (internal) this.audience.countInternal(s);
      this.audience.add(s, internal, pairs[j + 1]);
    }
    return {
      size: this.size,
      cols: this.cols,
      ips: this.ips,
      samples: this.samples,
      audience: this.audience.columns(),
      lossChecked: this.checked,
      lossMissed: this.missed,
    };
  }

  /** Whether the client of key `k` is in the home networks. */
  private internal(k: FlowKey): boolean {
    return this.home.internal(k.v6, k.c0, k.c1, k.c2, k.c3);
  }

  /** Add (slot+1, client of key `k`) to the pair set with its zone; false if it was there. */
  private addPair(tag: number, client: number, k: FlowKey): boolean {
    let pairs = this.pairs;
    let mask = (pairs.length >> 1) - 1;
    let i = pairHash(tag, client) & mask;
    for (;;) {
      const t = pairs[2 * i];
      if (t === 0) break;
      if ((t & ~ZONE_BIT) === tag && pairs[2 * i + 1] === client) return false;
      i = (i + 1) & mask;
    }
    if ((this.pairCount + 1) * 2 > pairs.length >> 1) {
      this.growPairs();
      pairs = this.pairs;
      mask = (pairs.length >> 1) - 1;
      i = pairHash(tag, client) & mask;
      while (pairs[2 * i] !== 0) i = (i + 1) & mask;
    }
    pairs[2 * i] = this.internal(k) ? tag | ZONE_BIT : tag;
    pairs[2 * i + 1] = client;
    this.pairCount++;
    return true;
  }

  private growCols(): void {
    const cols = new Float64Array(this.cols.length * 2);
    cols.set(this.cols);
    this.cols = cols;
  }

  private growIndex(): void {
    const index = new Int32Array(this.index.length * 2);
    const mask = index.length - 1;
    for (let s = 0; s < this.size; s++) {
      let i = Math.floor(this.cols[s * S + KEY] / SPORT_BITS) & mask;
      while (index[i] !== 0) i = (i + 1) & mask;
      index[i] = s + 1;
    }
    this.index = index;
  }

  private growPairs(): void {
    const old = this.pairs;
    const pairs = new Int32Array(old.length * 2);
    // write every page before the probes below read it: a read of a fresh page maps the zero
    // page, and the first write after it takes a second fault
    pairs.fill(0);
    const mask = (pairs.length >> 1) - 1;
    for (let j = 0; j < old.length; j += 2) {
      const t = old[j];
      if (t === 0) continue;
      let i = pairHash(t & ~ZONE_BIT, old[j + 1]) & mask;
      while (pairs[2 * i] !== 0) i = (i + 1) & mask;
      pairs[2 * i] = t;
      pairs[2 * i + 1] = old[j + 1];
    }
    this.pairs = pairs;
  }
}

/** Mixes a slot tag (< 2^31) and a client id (int32) into a non-negative int. */
function pairHash(tag: number, client: number): number {
  let h = Math.imul(tag, 0x9e3779b1) ^ client;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 1;
}
