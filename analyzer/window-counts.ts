// Handshakes counted once across sensors. Several sensors on the same traffic (redundant mirrors,
// a TAP and a SPAN on one link) each send an Observation of an endpoint's window; the inventory
// and the rollups count, per (ip, proto, port, window_start), the highest count any sensor
// reported, and that window once. Each Observation is stored whole (each sensor's own view) with
// what of it was already counted: `dup_handshakes` = min(its count, the highest stored before for
// its key) and `dup_window` = 1 when its key was stored before; the views add the rest. Sensors
// key Observations by server address, so every sensor's Observations of an endpoint reach one
// partition and so one analyzer at a time.
// Memory: the highest count stored per key, kept `horizonMs` after it was stored, at most
// `maxKeys` (past that the oldest go first), as 53-bit hashes in buckets of a tenth of the horizon.
// After this process starts, or its partitions are reassigned (`forget`), another process (the
// previous owner, a previous run) may have stored any window up to the newest stored from each
// Kafka partition, however recent: that newest window is read from the store once per partition,
// and a row whose window is not newer has its highest stored count read (`load`) before the
// batch is counted. Once the oldest bucket held drops, the memory holds every key stored since
// `coverFrom` (the next bucket's start), and a window starting after it (less a minute of clock
// skew between sensors and analyzer) can only have been stored since, by this process. So live
// traffic costs no read, nor does a backlog of windows newer than what was stored before a
// restart; the windows in flight at a handover, a late sensor's old windows, or a second
// sensor's after a restart, cost one read per batch.
// Limits: windows are told apart by window_start, so sensors must use the same window length
// and clocks that agree (aligned windows start at the same instant); with one window per run
// (window 0: window_start is the endpoint's first SYN+ACK), sensors that saw the first SYN+ACK at
// different milliseconds are counted as different windows. An endpoint whose Observations reach
// two partitions (a producer with another partitioner, a changed partition count) may be counted
// by each analyzer. Two keys whose hashes collide would take each other's count (odds about
// n² / 2^54 for n keys held).

import { hash53 } from './recent-windows.js';

/** What identifies an endpoint's window, across sensors. */
export interface CountKey {
  ip: string;
  proto: string;
  port: number;
  window_start: number;
}

/** An Observation row as counted: its handshakes, and what of them was already counted. */
export interface Countable extends CountKey {
  /** the observations topic partition it came from */
  kafka_partition: number;
  handshakes: number;
  dup_handshakes: number;
  dup_window: number;
}

/** What is read from the store (store/sensor-counts.ts). */
export interface StoredCounts {
  /** the highest count stored for each of these keys, for the keys stored at all */
  highest(keys: CountKey[]): Promise<Array<CountKey & { highest: number }>>;
  /** no Observation from this partition was stored with a later window_start (-1: none stored) */
  newestWindow(partition: number): Promise<number>;
}

interface Bucket {
  since: number;
  seq: number;
  /** keys last stored while this bucket was the newest */
  keys: number[];
  /** per Kafka partition, the newest window stored in this bucket */
  newest: Map<number, number>;
}

/** A window starting less than this before `coverFrom` was not stored before it (the clocks' skew allowed). */
const SKEW_MS = 60_000;

const keyText = (k: CountKey): string => `${k.ip}|${k.proto}|${k.port}|${k.window_start}`;

export class WindowCounts {
  private buckets: Bucket[] = [];
  private seq = 0;
  /** the highest count held per key (-1: held as not stored anywhere) */
  private readonly value = new Map<number, number>();
  /** the bucket (seq) a key was last stored in: it goes when that bucket drops */
  private readonly bucketOf = new Map<number, number>();
  /** per Kafka partition, no window stored before `coverFrom` is newer */
  private readonly newestBefore = new Map<number, number>();
  private coverFrom: number;
  // a row's key is hashed once: load(), count() and stored() see the same objects
  private readonly hashes = new WeakMap<CountKey, number>();

  constructor(
    private readonly horizonMs: number,
    private readonly maxKeys: number,
  ) {
    // nothing is known held yet: every window is checked against the newest stored from its partition
    this.coverFrom = Number.POSITIVE_INFINITY;
  }

  /** Read from the store the highest counts of the keys of `rows` this memory may lack. */
  async load(rows: readonly Countable[], stored: StoredCounts, now = Date.now()): Promise<void> {
    this.expire(now);
    const want = new Map<number, CountKey>();
    for (const r of rows) {
      if (r.window_start >= this.coverFrom - SKEW_MS) continue;
      let newest = this.newestBefore.get(r.kafka_partition);
      if (newest === undefined) {
        newest = await stored.newestWindow(r.kafka_partition);
        this.newestBefore.set(r.kafka_partition, newest);
      }
      if (r.window_start > newest) continue;
      const h = this.hashOf(r);
      if (!want.has(h) && !this.value.has(h)) want.set(h, r);
    }
    if (want.size === 0) return;
    const found = await stored.highest([...want.values()]);
    const b = this.newest(now);
    for (const f of found) this.put(b, hash53(keyText(f)), f.highest);
    // keys not stored anywhere: none before this batch (this one stores them)
    for (const h of want.keys()) if (!this.value.has(h)) this.put(b, h, -1);
    this.trim(now);
  }

  /**
   * Set each row's `dup_handshakes` and `dup_window` from the counts stored before and the rows
   * before it in `rows` (in order). Nothing is remembered until `stored`.
   */
  count(rows: Countable[]): void {
    const batch = new Map<number, number>();
    for (const r of rows) {
      const h = this.hashOf(r);
      const before = batch.get(h) ?? this.value.get(h) ?? -1;
      r.dup_window = before < 0 ? 0 : 1;
      r.dup_handshakes = Math.max(0, Math.min(r.handshakes, before));
      batch.set(h, Math.max(before, r.handshakes));
    }
  }

  /** These rows were stored. */
  stored(rows: readonly Countable[], now = Date.now()): void {
    this.expire(now);
    const b = this.newest(now);
    for (const r of rows) {
      this.put(b, this.hashOf(r), r.handshakes);
      const p = r.kafka_partition;
      const w = b.newest.get(p);
      if (w === undefined || r.window_start > w) b.newest.set(p, r.window_start);
    }
    this.trim(now);
  }

  /** Another analyzer may have stored these partitions meanwhile: forget everything. */
  forget(): void {
    this.buckets = [];
    this.value.clear();
    this.bucketOf.clear();
    this.coverFrom = Number.POSITIVE_INFINITY;
    this.newestBefore.clear();
  }

  /** Keys held (for the status line). */
  get held(): number {
    return this.value.size;
  }

  private hashOf(k: CountKey): number {
    let h = this.hashes.get(k);
    if (h === undefined) {
      h = hash53(keyText(k));
      this.hashes.set(k, h);
    }
    return h;
  }

  private newest(now: number): Bucket {
    let b = this.buckets.at(-1);
    if (!b || now - b.since >= this.horizonMs / 10) {
      b = { since: now, seq: ++this.seq, keys: [], newest: new Map() };
      this.buckets.push(b);
    }
    return b;
  }

  /** A key's count is at least `v`, stored now (in bucket `b`). */
  private put(b: Bucket, h: number, v: number): void {
    const held = this.value.get(h);
    if (held === undefined || v > held) this.value.set(h, v);
    if (this.bucketOf.get(h) !== b.seq) {
      this.bucketOf.set(h, b.seq);
      b.keys.push(h);
    }
  }

  private expire(now: number): void {
    while (this.buckets.length && now - this.buckets[0].since > this.horizonMs) this.drop(now);
  }

  private trim(now: number): void {
    while (this.value.size > this.maxKeys && this.buckets.length > 1) this.drop(now);
  }

  /**
   * The oldest bucket goes with the keys last stored in it: keys stored before the next bucket
   * began are no longer all held, and its windows are now among those stored before `coverFrom`
   * (a partition not read yet will be read whole from the store).
   */
  private drop(now: number): void {
    const b = this.buckets.shift();
    if (!b) return;
    for (const h of b.keys)
      if (this.bucketOf.get(h) === b.seq) {
        this.bucketOf.delete(h);
        this.value.delete(h);
      }
    // what is held covers from the next bucket on (buckets start after the start or handover)
    const next = this.buckets[0]?.since ?? now;
    this.coverFrom = this.coverFrom === Number.POSITIVE_INFINITY ? next : Math.max(this.coverFrom, next);
    for (const [p, w] of b.newest) {
      const known = this.newestBefore.get(p);
      if (known !== undefined && w > known) this.newestBefore.set(p, w);
    }
  }
}
