// A reusable scratch key for one TCP connection (client addr/port, server addr/port), read
// straight from packet bytes as 32-bit words: lookups allocate nothing. IPv4 uses word 0 only.

export class FlowKey {
  v6 = false;
  c0 = 0;
  c1 = 0;
  c2 = 0;
  c3 = 0;
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  cport = 0;
  sport = 0;
  hash = 0; // 30 bits: stays a small integer in V8

  /** Load from packet bytes: client address at cOff, server address at sOff. */
  load(b: Uint8Array, v6: boolean, cOff: number, sOff: number, cport: number, sport: number): this {
    this.v6 = v6;
    this.cport = cport;
    this.sport = sport;
    this.c0 = i32(b, cOff);
    this.s0 = i32(b, sOff);
    if (v6) {
      this.c1 = i32(b, cOff + 4);
      this.c2 = i32(b, cOff + 8);
      this.c3 = i32(b, cOff + 12);
      this.s1 = i32(b, sOff + 4);
      this.s2 = i32(b, sOff + 8);
      this.s3 = i32(b, sOff + 12);
    } else {
      this.c1 = this.c2 = this.c3 = this.s1 = this.s2 = this.s3 = 0;
    }
    let h = mix(mix(mix(0x9e3779b9, (cport << 16) | sport), this.s0), this.c0);
    if (v6) h = mix(mix(mix(mix(mix(mix(h, this.s1), this.s2), this.s3), this.c1), this.c2), this.c3);
    this.hash = fin(h);
    return this;
  }

  /** A hash of the server address and port only (endpoint accumulators are keyed by it). */
  serverHash(): number {
    let h = mix(mix(0x85ebca6b, this.sport), this.s0);
    if (this.v6) h = mix(mix(mix(h, this.s1), this.s2), this.s3);
    return fin(h);
  }
}

/** A big-endian word as a signed 32-bit integer, as the flow table's Int32Array rows hold it. */
function i32(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/** One MurmurHash3 (x86, 32-bit) round. */
function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser, cut to 30 bits. */
function fin(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x3fffffff;
}
