// The insert coalescer against the real ClickHouse: concurrent batches share one insert (one
// part on disk), a lone batch is not held back, and one batch's refused rows do not take the
// others' rows down with them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coalescer, type InsertFn } from '../../analyzer/store/coalescer.js';
import { httpEngine } from '../../analyzer/store/engine.js';
import { migrate } from '../../analyzer/store/migrate.js';
import { Store } from '../../analyzer/store/store.js';
import { CH_URL, chQuery, dropDb, randomDb } from '../support/clickhouse.js';
import { observation } from '../support/observations.js';
import { isoDay, sleep } from '../../common/time.js';

const db = randomDb();
const engine = httpEngine({ url: CH_URL, user: 'default', password: null });
const store = new Store({ database: db, engine });
let inserts = 0;
const insert: InsertFn = (t, rows) => {
  inserts++;
  return store.insertJson(t, rows);
};

function rows(host: number, n: number): object[] {
  return Array.from({ length: n }, (_, i) => {
    const o = observation({ ip: `192.0.2.${host}`, port: 1 + i, window_start: Date.now() - 60_000 });
    return { ...o, day: isoDay(o.window_start), client_outside: 0, ingested_at: 1 };
  });
}

const count = async (where: string): Promise<number> =>
  Number((await chQuery<{ c: string }>(`SELECT count() AS c FROM ${db}.observations WHERE ${where}`))[0].c);
const parts = async (): Promise<number> =>
  Number(
    (
      await chQuery<{ c: string }>(
        `SELECT count() AS c FROM system.parts WHERE database = '${db}' AND table = 'observations' AND active`,
      )
    )[0].c,
  );

beforeAll(async () => {
  await migrate(store);
});
afterAll(async () => {
  await store.close();
  await dropDb(db);
});

describe('Coalescer', () => {
  it('three batches in progress share one insert and one part', async () => {
    await engine.command(`SYSTEM STOP MERGES ${db}.observations`); // so the part count is the insert count
    try {
      const c = new Coalescer(insert, { maxRows: 100_000, lingerMs: 60_000 });
      inserts = 0;
      c.begin();
      c.begin();
      c.begin();
      const done = [c.add('observations', rows(1, 100)), c.add('observations', rows(2, 200))];
      await sleep(50);
      expect(inserts).toBe(0); // still waiting for the third batch
      done.push(c.add('observations', rows(3, 300)));
      await Promise.all(done);
      c.end();
      c.end();
      c.end();
      expect(inserts).toBe(1);
      expect(await count("ip IN ('192.0.2.1', '192.0.2.2', '192.0.2.3')")).toBe(600);
      expect(await parts()).toBe(1);
    } finally {
      await engine.command(`SYSTEM START MERGES ${db}.observations`);
    }
  });

  it('a batch alone, or whose partners ended without rows, is inserted without waiting for the linger', async () => {
    const c = new Coalescer(insert, { maxRows: 100_000, lingerMs: 600_000 });
    c.begin();
    await c.add('observations', rows(4, 10)); // would time the test out if it waited 10 minutes
    c.end();
    c.begin();
    c.begin();
    const p = c.add('observations', rows(5, 10));
    c.end(); // the other batch had nothing to insert
    await p;
    c.end();
    expect(await count("ip IN ('192.0.2.4', '192.0.2.5')")).toBe(20);
  });

  it('groups larger than maxRows are split into several inserts', async () => {
    const c = new Coalescer(insert, { maxRows: 250, lingerMs: 600_000 });
    inserts = 0;
    c.begin();
    c.begin();
    await Promise.all([c.add('observations', rows(6, 200)), c.add('observations', rows(7, 200))]);
    c.end();
    c.end();
    expect(inserts).toBe(2);
    expect(await count("ip IN ('192.0.2.6', '192.0.2.7')")).toBe(400);
  });

  it("one batch's refused rows fail that batch only; the others' rows are stored", async () => {
    const c = new Coalescer(insert, { maxRows: 100_000, lingerMs: 600_000 });
    const bad = rows(9, 5).map((r) => ({ ...r, port: 'not a number' }));
    c.begin();
    c.begin();
    c.begin();
    const results = await Promise.allSettled([
      c.add('observations', rows(8, 50)),
      c.add('observations', bad),
      c.add('observations', rows(10, 50)),
    ]);
    c.end();
    c.end();
    c.end();
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await count("ip IN ('192.0.2.8', '192.0.2.10')")).toBe(100);
    expect(await count("ip = '192.0.2.9'")).toBe(0);
  });
});
