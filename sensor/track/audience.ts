// One window's audience per endpoint slot, in typed arrays with no object per endpoint: the count
// of internal clients and one HyperLogLog sketch per zone (internal, internet), a 64-byte row
// given out on the zone's first client. Filled from the window's client pairs when it closes
// (see endpoint-table.ts), and during it only for clients past the cap.
// Limits: the sketch rows of a window only grow; an IPv6 client is hashed from its 32-bit id.

import { HLL_REGISTERS, hllAdd, hllHash } from '../../common/hll.js';

// per slot, A int32 words: per zone its sketch row + 1, then the internal clients
const A = 4;
const SKETCH = 0; // + zone
const INTERNAL = 2;
export const ZONE_INTERNAL = 0;
export const ZONE_INTERNET = 1;

/** A closed window's audience as plain data (posted between threads, transferred). */
export interface AudienceColumns {
  words: Int32Array; // A words per slot
  sketches: Uint8Array; // HLL_REGISTERS bytes per sketch row
}

export class Audience {
  words = new Int32Array(256 * A);
  sketches = new Uint8Array(16 * HLL_REGISTERS);
  private rows = 0;

  /** Make room for slots 0..slots-1. */
  reserve(slots: number): void {
    if (slots * A <= this.words.length) return;
    const words = new Int32Array(Math.max(slots, (this.words.length / A) * 2) * A);
    words.set(this.words);
    this.words = words;
  }

  /** Count an internal client of slot `s`. */
  countInternal(s: number): void {
    this.words[s * A + INTERNAL]++;
  }

  /** Add client `client` (its id) to slot `s`'s sketch of its zone. */
  add(s: number, internal: boolean, client: number): void {
    const w = this.words;
    const z = s * A + SKETCH + (internal ? ZONE_INTERNAL : ZONE_INTERNET);
    let row = w[z];
    if (row === 0) {
      row = ++this.rows;
      w[z] = row;
      if (row * HLL_REGISTERS > this.sketches.length) this.growSketches();
    }
    hllAdd(this.sketches, (row - 1) * HLL_REGISTERS, hllHash(client));
  }

  columns(): AudienceColumns {
    return { words: this.words, sketches: this.sketches };
  }

  private growSketches(): void {
    const sketches = new Uint8Array(this.sketches.length * 2);
    sketches.set(this.sketches);
    this.sketches = sketches;
  }
}

/** Slot `s`'s internal clients (counted ones; the rest of its clients are internet clients). */
export function internalClients(a: AudienceColumns, s: number): number {
  return a.words[s * A + INTERNAL];
}

/** Slot `s`'s sketch of `zone` as numbers, or [] when the zone had no client. */
export function sketchOf(a: AudienceColumns, s: number, zone: number): number[] {
  const row = a.words[s * A + SKETCH + zone];
  if (row === 0) return [];
  // pushed, not preallocated: a preallocated array is holey, which JSON.stringify serialises slowly
  const out: number[] = [];
  const o = (row - 1) * HLL_REGISTERS;
  for (let i = 0; i < HLL_REGISTERS; i++) out.push(a.sketches[o + i]);
  return out;
}
