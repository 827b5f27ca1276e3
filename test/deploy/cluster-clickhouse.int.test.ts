// Cluster mode on the local cluster (deploy/local.sh up --cluster clickhouse: ClickHouse 18.16,
// 2 shards x 2 replicas, ZooKeeper): the analyzer's own store code creates the schema ON CLUSTER
// in a new database, stores Observations through the Distributed tables, and the inventory reads
// back what was written; one endpoint's rows live on one shard; a shard's replica gets the rows
// written through the other; with one replica stopped, writes and reads go on, and once it is
// back it catches up. The parts of the cluster this file started are stopped at the end; the
// database is dropped ON CLUSTER.

import { spawnSync } from 'node:child_process';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as inventory from '../../analyzer/inventory.js';
import { toObservationRow } from '../../analyzer/observation-row.js';
import { foldExisting } from '../../analyzer/store/fold.js';
import { IngestOffsets } from '../../analyzer/store/ingest-offsets.js';
import { migrate } from '../../analyzer/store/migrate.js';
import { Store } from '../../analyzer/store/store.js';
import { dropOldPartitions, insertRows } from '../../analyzer/store/writes.js';
import type { Observation } from '../../schemas/observation.js';
import { randomDb } from '../support/clickhouse.js';
import {
  CLUSTER,
  clusterCmd,
  ensureClusterClickHouse,
  nodeCommand,
  nodeQuery,
  nodeUrl,
  until,
} from '../support/clickhouse-cluster.js';
import { inventoryOf, observation, truthOf } from '../support/observations.js';
import { BIN } from '../support/porthole.js';

const db = randomDb();
let stopStarted = () => {};
let store: Store;
const written: Observation[] = [];
let offset = 0;

/** Observations of `n` endpoints (addresses from `base`), two windows each, stored as the analyzer stores them. */
async function store20(base: number, n: number, windowStart: number): Promise<void> {
  const obs: Observation[] = [];
  for (let i = 0; i < n; i++)
    for (const w of [0, 60_000])
      obs.push(
        observation({
          ip: i % 3 === 2 ? `2001:db8::${(base + i).toString(16)}` : `10.${base >> 8}.${base & 255}.${i + 1}`,
          port: 443 + (i % 2),
          window_start: windowStart + w,
          handshakes: 1 + i + w / 60_000,
        }),
      );
  const rows = obs.map((o) =>
    toObservationRow({ ...o }, [], Math.floor(Date.now() / 1000), { partition: 0, offset: offset++ }),
  );
  await insertRows(store, 'observations', rows);
  written.push(...obs);
}

const localRows = (n: number) =>
  nodeQuery<{ ip: string; port: number; window_start: string | number }>(
    n,
    `SELECT ip, port, window_start FROM ${db}.observations_local ORDER BY ip, port, window_start`,
  );

async function inventoryEqualsTruth(): Promise<void> {
  const inv = inventoryOf((await inventory.services(store)) as unknown as Array<Record<string, unknown>>);
  expect(Object.fromEntries([...inv].sort())).toEqual(Object.fromEntries([...truthOf(written)].sort()));
}

describe('ClickHouse cluster mode (2 shards x 2 replicas, 18.16)', () => {
  beforeAll(() => {
    stopStarted = ensureClusterClickHouse();
    store = new Store({ url: nodeUrl(1), user: 'default', password: null, database: db, cluster: CLUSTER });
  }, 150_000);

  afterAll(async () => {
    try {
      if (clusterCmd('status', 'clickhouse-2') !== 0) clusterCmd('up', 'clickhouse-2');
      await nodeCommand(1, `DROP DATABASE IF EXISTS ${db} ON CLUSTER ${CLUSTER}`);
    } finally {
      await store?.close();
      stopStarted();
    }
  }, 150_000);

  it('creates the schema ON CLUSTER, stores through the Distributed tables, reads the inventory back', async () => {
    expect(await migrate(store)).toEqual([]);
    expect(await migrate(store)).toEqual([]); // idempotent, and nothing is sent ON CLUSTER again
    // a column missing from the local tables and from the Distributed table is added back
    await nodeCommand(1, `ALTER TABLE ${db}.observations_local ON CLUSTER ${CLUSTER} DROP COLUMN ingested_at`);
    await nodeCommand(1, `DROP TABLE ${db}.observations ON CLUSTER ${CLUSTER}`);
    await nodeCommand(
      1,
      `CREATE TABLE ${db}.observations ON CLUSTER ${CLUSTER} AS ${db}.observations_local ENGINE = Distributed(${CLUSTER}, ${db}, observations_local, rand())`,
    );
    expect(await migrate(store)).toEqual(['observations.ingested_at']);
    await foldExisting(store, pino({ level: 'silent' })); // as the analyzer's start: nothing to fold
    for (const n of [1, 2, 3, 4]) {
      const tables = await nodeQuery<{ name: string; engine: string }>(
        n,
        `SELECT name, engine FROM system.tables WHERE database = '${db}' AND name IN ('observations', 'observations_local', 'inventory_local', 'inventory_from_observations')`,
      );
      expect(Object.fromEntries(tables.map((t) => [t.name, t.engine]))).toEqual({
        observations: 'Distributed',
        observations_local: 'ReplicatedReplacingMergeTree',
        inventory_local: 'ReplicatedAggregatingMergeTree',
        inventory_from_observations: 'MaterializedView',
      });
    }
    await store20(1, 20, Date.now() - 600_000);
    await inventoryEqualsTruth();
    expect(await new IngestOffsets(store).floor(0)).toBe(offset - 1);
  }, 120_000);

  it("keeps one endpoint's rows on one shard, and both shards hold some", async () => {
    const shard1 = new Set((await localRows(1)).map((r) => r.ip));
    const shard2 = new Set((await localRows(3)).map((r) => r.ip));
    expect(shard1.size).toBeGreaterThan(0);
    expect(shard2.size).toBeGreaterThan(0);
    expect([...shard1].filter((ip) => shard2.has(ip))).toEqual([]);
    expect(shard1.size + shard2.size).toBe(20);
    // the aggregates live beside the rows they were made from
    const inv1 = await nodeQuery<{ ip: string }>(1, `SELECT DISTINCT ip FROM ${db}.inventory_local`);
    expect(new Set(inv1.map((r) => r.ip))).toEqual(shard1);
  });

  it("copies a shard's rows written through one replica to the other", async () => {
    const [one, three] = [await localRows(1), await localRows(3)];
    expect(await until(async () => JSON.stringify(await localRows(2)) === JSON.stringify(one), 30_000)).toBe(true);
    expect(await until(async () => JSON.stringify(await localRows(4)) === JSON.stringify(three), 30_000)).toBe(true);
  }, 70_000);

  it("pages through the inventory and drops old partitions on every shard (the cluster's parts)", async () => {
    const seen: string[] = [];
    const n = await inventory.forEachService(
      store,
      {},
      (page) => void seen.push(...page.map((r) => `${r.ip}|${r.port}`)),
      7,
    );
    expect(n).toBe(truthOf(written).size);
    expect(seen.sort()).toEqual([...truthOf(written).keys()].sort());
    const old = Date.now() - 40 * 86_400_000;
    await store20(3, 6, old);
    const day = new Date(old).toISOString().slice(0, 10);
    const count = async () =>
      (await nodeQuery<{ c: string }>(1, `SELECT count() AS c FROM ${db}.observations WHERE day = '${day}'`))[0].c;
    expect(Number(await count())).toBe(12);
    expect(await dropOldPartitions(store, 30)).toEqual([day]);
    expect(Number(await count())).toBe(0);
    await inventoryEqualsTruth(); // the inventory keeps what the dropped windows added
  }, 60_000);

  it('goes on writing and reading with a replica stopped, which catches up when back', async () => {
    clusterCmd('down', 'clickhouse-2');
    try {
      // a start (migration) with a server down is not held up when the schema is complete
      const t0 = Date.now();
      expect(await migrate(store)).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await store20(2, 20, Date.now() - 300_000);
      await inventoryEqualsTruth();
      expect(await new IngestOffsets(store).floor(0)).toBe(offset - 1);
    } finally {
      clusterCmd('up', 'clickhouse-2');
    }
    const one = await localRows(1);
    expect(one.length).toBeGreaterThan(0);
    expect(await until(async () => JSON.stringify(await localRows(2)) === JSON.stringify(one), 60_000)).toBe(true);
    const agg = `SELECT ip, port, sumMerge(handshakes) AS h FROM ${db}.inventory_local GROUP BY ip, port ORDER BY ip, port`;
    const inv1 = JSON.stringify(await nodeQuery(1, agg));
    expect(await until(async () => JSON.stringify(await nodeQuery(2, agg)) === inv1, 30_000)).toBe(true);
    // the replica that came back serves the whole inventory too
    const back = new Store({ url: nodeUrl(2), user: 'default', password: null, database: db, cluster: CLUSTER });
    try {
      const inv = inventoryOf((await inventory.services(back)) as unknown as Array<Record<string, unknown>>);
      expect(Object.fromEntries([...inv].sort())).toEqual(Object.fromEntries([...truthOf(written)].sort()));
    } finally {
      await back.close();
    }
    // a command that reads the analyzer's configuration, in cluster mode from its environment
    const r = spawnSync(process.execPath, [BIN, 'services', '--json', '--clickhouse', nodeUrl(3), '--database', db], {
      encoding: 'utf8',
      env: { ...process.env, PORTHOLE_CLICKHOUSE_CLUSTER: CLUSTER },
    });
    expect(r.stderr).toBe('');
    const rows = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.fromEntries([...inventoryOf(rows)].sort())).toEqual(Object.fromEntries([...truthOf(written)].sort()));
  }, 150_000);
});
