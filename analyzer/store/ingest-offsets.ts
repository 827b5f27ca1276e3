// Which Observations are already stored, by Kafka position: the ingest_offsets view keeps the
// highest offset stored per partition of the observations topic, written by the same insert as
// the rows. A message at or below it was stored before (redelivered after a crash or a
// rebalance, or an insert retried after a reply was lost) and is not inserted again, so the
// sums in the aggregate tables count it once. Cached per partition; forgotten when partitions
// are reassigned or an insert fails (its outcome unknown).
// Limit: one database consumes one observations topic (partitions are not told apart by topic).

import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

export class IngestOffsets {
  private readonly floors = new Map<number, number>();

  constructor(private readonly s: Store) {}

  /** The highest offset of `partition` already stored, -1 if none. */
  async floor(partition: number): Promise<number> {
    const known = this.floors.get(partition);
    if (known !== undefined) return known;
    const [r] = await this.s.select<{ c: unknown; o: unknown }>(
      'ingest offsets',
      `SELECT count() AS c, maxMerge(kafka_offset) AS o FROM ${this.s.table('ingest_offsets')} WHERE kafka_partition = ${lit(partition)}`,
    );
    const floor = u64(r.c) === 0 ? -1 : u64(r.o);
    this.floors.set(partition, floor);
    return floor;
  }

  /** Rows up to `offset` of `partition` are stored. */
  stored(partition: number, offset: number): void {
    if (offset > (this.floors.get(partition) ?? -1)) this.floors.set(partition, offset);
  }

  /** Read the partition's position from the store again next time (all partitions without one). */
  forget(partition?: number): void {
    if (partition === undefined) this.floors.clear();
    else this.floors.delete(partition);
  }
}
