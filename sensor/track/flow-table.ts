// A bounded table of half-open TCP connections, keyed by (client ip, client port, server ip,
// server port) without allocating a key per lookup: a 30-bit hash indexes a Map and the
// address bytes are compared on a hit. Limits: when full the oldest flow is evicted (counted);
// a flow sharing a hash with an older one is chained to it and expires no earlier than it.

import type { EndpointAcc } from './endpoints.js';

export const STATE_SYN = 1; // client SYN seen, no answer yet (Zeek S0)
export const STATE_SYNACK = 2; // server SYN+ACK seen, waiting for the client's ACK (Zeek S1)
export const STATE_DONE = 3; // handshake over (completed or aborted by the client); kept so late
// duplicates and retransmissions are recognised until the flow expires
export const STATE_REJ = 4; // SYN answered by RST (Zeek REJ)

export interface Flow {
  addr: Uint8Array; // client address bytes then server address bytes
  cport: number;
  sport: number;
  state: number;
  cisn: number; // client initial sequence number (valid when sawSyn)
  sisn: number; // server initial sequence number (valid in STATE_SYNACK)
  sawSyn: boolean;
  t: number; // creation time, ms
  acc: EndpointAcc | null;
  next: Flow | null; // hash collision chain
}

export function flowHash(b: Uint8Array, cOff: number, sOff: number, alen: number, cport: number, sport: number): number {
  let h = Math.imul(0x811c9dc5 ^ ((cport << 16) | sport), 0x01000193);
  for (let i = 0; i < alen; i += 4) {
    h = Math.imul(h ^ ((b[cOff + i] << 24) | (b[cOff + i + 1] << 16) | (b[cOff + i + 2] << 8) | b[cOff + i + 3]), 0x5bd1e995);
    h ^= h >>> 13;
    h = Math.imul(h ^ ((b[sOff + i] << 24) | (b[sOff + i + 1] << 16) | (b[sOff + i + 2] << 8) | b[sOff + i + 3]), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h & 0x3fffffff; // stays a small integer in V8
}

function same(f: Flow, b: Uint8Array, cOff: number, sOff: number, alen: number, cport: number, sport: number): boolean {
  if (f.cport !== cport || f.sport !== sport || f.addr.length !== alen * 2) return false;
  const a = f.addr;
  for (let i = 0; i < alen; i++) if (a[i] !== b[cOff + i] || a[alen + i] !== b[sOff + i]) return false;
  return true;
}

export class FlowTable {
  private readonly map = new Map<number, Flow>();
  size = 0;
  evictions = 0;

  constructor(readonly maxFlows: number) {}

  get(h: number, b: Uint8Array, cOff: number, sOff: number, alen: number, cport: number, sport: number): Flow | null {
    for (let f = this.map.get(h) ?? null; f !== null; f = f.next) {
      if (same(f, b, cOff, sOff, alen, cport, sport)) return f;
    }
    return null;
  }

  /** Insert a new flow; the caller has checked it is absent. Evicts the oldest when full. */
  insert(h: number, f: Flow): void {
    if (this.size >= this.maxFlows) {
      this.evictOldest();
      this.evictions++;
    }
    const head = this.map.get(h);
    if (head) {
      f.next = head.next;
      head.next = f;
    } else {
      this.map.set(h, f);
    }
    this.size++;
  }

  remove(h: number, f: Flow): void {
    const head = this.map.get(h);
    if (!head) return;
    if (head === f) {
      if (f.next) this.map.set(h, f.next);
      else this.map.delete(h);
      this.size--;
      return;
    }
    for (let p = head; p.next !== null; p = p.next) {
      if (p.next === f) {
        p.next = f.next;
        this.size--;
        return;
      }
    }
  }

  /** Remove flows created before `cutoff`, oldest first, calling `onExpire` for each. */
  expire(cutoff: number, onExpire: (f: Flow) => void): void {
    for (const [h, head] of this.map) {
      if (head.t >= cutoff) return;
      this.map.delete(h);
      for (let f: Flow | null = head; f !== null; f = f.next) {
        this.size--;
        onExpire(f);
      }
    }
  }

  /** Remove everything (end of capture), calling `onExpire` for each flow. */
  drain(onExpire: (f: Flow) => void): void {
    this.expire(Infinity, onExpire);
  }

  private evictOldest(): void {
    for (const [h, head] of this.map) {
      this.remove(h, head);
      return;
    }
  }
}
