// Merges the rows of batches processed at the same time (one per Kafka partition) into shared
// ClickHouse inserts: every insert makes a new part on disk (a directory with files per column),
// so the rule is as few inserts as the batches in progress allow, never more than `maxRows` rows
// each (what that saves: benchmarks/README.md). A group is flushed as soon as every batch in
// progress has added its rows, when it reaches `maxRows`, or `lingerMs` after it opened,
// whichever comes first; a lone batch waits for nothing.
// Each caller's promise settles with the insert that carried its rows. If a merged insert is
// refused for a reason retrying cannot fix, each caller's rows are tried alone, so one bad
// batch cannot take the others down with it.

import { isRetriable } from '../../common/errors.js';
import type { RowOfTable, TableName } from '../../schemas/tables.js';

export type InsertFn = (table: TableName, rows: readonly object[]) => Promise<void>;

interface Part {
  rows: readonly object[];
  resolve: () => void;
  reject: (e: unknown) => void;
}
interface Group {
  parts: Part[];
  rows: number;
  timer: NodeJS.Timeout | null;
}

export class Coalescer {
  private active = 0; // batches between begin() and end()
  private readonly groups = new Map<TableName, Group>(); // open group per table

  constructor(
    private readonly insert: InsertFn,
    private readonly o: { maxRows: number; lingerMs: number },
  ) {}

  /** A batch starts: groups wait for its rows (up to lingerMs). */
  begin(): void {
    this.active++;
  }

  /** A batch is over (committed, failed or empty): groups stop waiting for it. */
  end(): void {
    this.active--;
    for (const [table, g] of this.groups) if (g.parts.length >= this.active) this.flush(table);
  }

  /** Insert `rows` into `table` together with other batches' rows; settles when they are stored. */
  add<N extends TableName>(table: N, rows: readonly RowOfTable<N>[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    let g = this.groups.get(table);
    if (!g) {
      g = { parts: [], rows: 0, timer: null };
      this.groups.set(table, g);
    }
    const done = new Promise<void>((resolve, reject) => g.parts.push({ rows, resolve, reject }));
    g.rows += rows.length;
    if (g.parts.length >= this.active || g.rows >= this.o.maxRows) this.flush(table);
    else g.timer ??= setTimeout(() => this.flush(table), this.o.lingerMs);
    return done;
  }

  private flush(table: TableName): void {
    const g = this.groups.get(table);
    if (!g) return;
    this.groups.delete(table);
    if (g.timer) clearTimeout(g.timer);
    void this.store(table, g.parts);
  }

  private async store(table: TableName, parts: Part[]): Promise<void> {
    const all = parts.length === 1 ? parts[0].rows : parts.flatMap((p) => p.rows);
    try {
      for (let i = 0; i < all.length; i += this.o.maxRows) await this.insert(table, all.slice(i, i + this.o.maxRows));
      for (const p of parts) p.resolve();
    } catch (err) {
      if (parts.length === 1 || isRetriable(err)) {
        for (const p of parts) p.reject(err);
        return;
      }
      for (const p of parts) await this.store(table, [p]); // find whose rows were refused
    }
  }
}
