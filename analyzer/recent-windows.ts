// The Observations this analyzer stored recently, by key (sensor, ip, proto, port, window_start),
// so that a sensor's resend — a batch sent again because its acknowledgement was lost, which
// reaches Kafka at a new offset — is not inserted again: the raw table would collapse it, but
// the views would add its handshakes twice. Keys are kept for `horizonMs` after they were stored
// (a resend follows its original within the publisher's retry delay), at most `maxKeys` (past
// that the oldest go first), as 53-bit hashes in buckets of a tenth of the horizon.
// Limits: a resend arriving later than the horizon, or after this analyzer restarted or gave the
// partition up, is counted twice in the sums; two keys whose hashes collide (odds about
// n² / 2^54 for n keys held) would drop the second as a resend.

/** What identifies an Observation. */
export interface WindowKey {
  sensor: string;
  ip: string;
  proto: string;
  port: number;
  window_start: number;
}

/** A 53-bit hash of a string (two 32-bit FNV-1a variants). */
export function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

export class RecentWindows {
  private buckets: Array<{ since: number; keys: Set<number> }> = [];
  private size = 0;
  // an Observation's key is hashed once: fresh() and stored() see the same objects
  private readonly keys = new WeakMap<WindowKey, number>();

  constructor(
    private readonly horizonMs: number,
    private readonly maxKeys: number,
  ) {}

  /** The Observations not stored recently, each key once (a batch may hold a resend too). */
  fresh<T extends WindowKey>(obs: readonly T[], now = Date.now()): T[] {
    this.expire(now);
    const seen = new Set<number>();
    return obs.filter((o) => {
      const k = this.keyOf(o);
      if (seen.has(k) || this.buckets.some((b) => b.keys.has(k))) return false;
      seen.add(k);
      return true;
    });
  }

  /** These were stored. */
  stored(obs: readonly WindowKey[], now = Date.now()): void {
    let b = this.buckets.at(-1);
    if (!b || now - b.since >= this.horizonMs / 10) {
      b = { since: now, keys: new Set() };
      this.buckets.push(b);
    }
    for (const o of obs) {
      const before = b.keys.size;
      b.keys.add(this.keyOf(o));
      this.size += b.keys.size - before;
    }
    while (this.size > this.maxKeys && this.buckets.length > 1) this.drop();
  }

  /** Keys held (for the status line). */
  get held(): number {
    return this.size;
  }

  private keyOf(o: WindowKey): number {
    let k = this.keys.get(o);
    if (k === undefined) {
      k = hash53(`${o.sensor}|${o.ip}|${o.proto}|${o.port}|${o.window_start}`);
      this.keys.set(o, k);
    }
    return k;
  }

  private expire(now: number): void {
    while (this.buckets.length && now - this.buckets[0].since > this.horizonMs) this.drop();
  }

  private drop(): void {
    const b = this.buckets.shift();
    if (b) this.size -= b.keys.size;
  }
}
