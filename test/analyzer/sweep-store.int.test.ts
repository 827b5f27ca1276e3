// The sweeps' statements on every engine (Debian's 18.16 over HTTP, a current ClickHouse
// in-process, the local 18.16 cluster in cluster mode): a sweep planned, its blocks stored (one of them twice, as after a takeover),
// hosts' runs for the fast/slow split, results into the inventory as the active method
// (dormant, both), the progress totals counted once per block, a sweep's findings, and the
// migration adding a measure a newer release has to an existing inventory.

import { describe, expect, it } from 'vitest';
import * as inventory from '../../analyzer/inventory.js';
import { migrate } from '../../analyzer/store/migrate.js';
import { Store } from '../../analyzer/store/store.js';
import {
  blockDone,
  lastHostRuns,
  seenOnMirror,
  storedAlertIds,
  sweepFindings,
  sweepPlanned,
  sweepTotals,
} from '../../analyzer/store/sweep-queries.js';
import { insertRows } from '../../analyzer/store/writes.js';
import { isoDay } from '../../common/time.js';
import { randomDb } from '../support/clickhouse.js';
import { bothEngines } from '../support/engines.js';
import { observation } from '../support/observations.js';

const { engines, cleanups } = bothEngines({ cluster: true });

describe.each(engines)('sweeps on %s', (_name, make, cluster) => {
  it('stores and reads sweeps, a block stored twice counted once', async () => {
    const engine = make();
    const db = randomDb();
    const store = new Store({ database: db, engine, cluster });
    cleanups.push(async () => {
      await engine.command(`DROP DATABASE IF EXISTS ${db}${store.onCluster}`).catch(() => {});
      await store.close();
    });
    await migrate(store);
    // an inventory from before the active method: its measure is added back
    // (in cluster mode: the replicated local tables, the Distributed one keeps its columns)
    await engine.command(
      cluster
        ? `ALTER TABLE ${db}.inventory_local ON CLUSTER ${cluster} DROP COLUMN a_sweep`
        : `ALTER TABLE ${db}.inventory DROP COLUMN a_sweep`,
    );
    expect(await migrate(store)).toEqual(['inventory.a_sweep']);

    const now = Date.now();
    const id = '2026-01-01T00:00:00Z';
    const o = observation({ ip: '192.0.2.1', port: 443, window_start: now - 5000 });
    await insertRows(store, 'observations', [
      {
        ...o,
        day: isoDay(o.window_start),
        client_outside: 0,
        ingested_at: Math.floor(now / 1000),
        sample_clients: [o.sample_client],
        hll_internal: [],
        hll_internet: [],
        kafka_partition: 0,
        kafka_offset: 1,
      },
    ]);
    expect(await sweepPlanned(store, id)).toBe(false);
    await insertRows(store, 'sweeps', [
      {
        sweep_id: id,
        started_at: now - 10_000,
        period_ms: 3_600_000,
        addresses: 3,
        blocks_total: 2,
        slow_blocks: 1,
        ports: 'top-100',
        planner: 'a',
      },
    ]);
    expect(await sweepPlanned(store, id)).toBe(true);
    const block = (b: number, targets: string[], up: number, open: number) => ({
      sweep_id: id,
      block: b,
      grp: b === 0 ? 'fast' : 'slow',
      targets,
      hosts_up: up,
      hosts_timed_out: b,
      ports_open: open,
      sweeper: 'a',
      started_at: now - 9000,
      done_at: now - 5000 + b,
      error: '',
    });
    const result = (ip: string, port: number, b: number) => ({
      day: isoDay(now),
      ip,
      proto: 'tcp',
      port,
      sweep_id: id,
      block: b,
      ts: now - 5000,
      nmap_state: 'open',
      service: 'http',
      reason: 'syn-ack',
    });
    // block 0 stored twice (a takeover), block 1 once
    for (let i = 0; i < 2; i++) {
      await insertRows(store, 'sweep_results', [result('192.0.2.1', 443, 0), result('192.0.2.2', 8080, 0)]);
      await insertRows(store, 'sweep_blocks', [block(0, ['192.0.2.1', '192.0.2.2'], 2, 2)]);
    }
    await insertRows(store, 'sweep_blocks', [block(1, ['192.0.2.3'], 1, 0)]);
    await insertRows(store, 'sweep_hosts', [
      { sweep_id: id, block: 0, ip: '192.0.2.1', ts: now - 5000, state: 'up', rtt_us: 100 },
      { sweep_id: id, block: 1, ip: '192.0.2.3', ts: now - 5000, state: 'timeout', rtt_us: 0 },
      { sweep_id: 'older', block: 0, ip: '192.0.2.3', ts: now - 90_000, state: 'up', rtt_us: 5 },
    ]);
    expect(await blockDone(store, id, 0)).toBe(true);
    expect(await blockDone(store, id, 2)).toBe(false);
    expect(await lastHostRuns(store, now - 60_000)).toEqual(
      new Map([
        ['192.0.2.1', { state: 'up', rttUs: 100 }],
        ['192.0.2.3', { state: 'timeout', rttUs: 0 }],
      ]),
    );
    const [t] = await sweepTotals(store, { limit: 5 });
    expect(t).toMatchObject({
      sweep_id: id,
      blocks_total: 2,
      blocks_done: 2,
      addresses_done: 3,
      hosts_up: 3,
      hosts_timed_out: 1,
      ports_open: 2,
      blocks_failed: 0,
      last_done_at: now - 4999,
    });
    expect(await sweepTotals(store, { limit: 5, sweepId: 'nope' })).toEqual([]);
    const f = await sweepFindings(store, id);
    expect(f.open.map((e) => `${e.ip}:${e.port}`)).toEqual(['192.0.2.1:443', '192.0.2.2:8080']);
    expect(f.passive.map((e) => `${e.ip}:${e.port}`)).toEqual(['192.0.2.1:443']);
    expect(await seenOnMirror(store, ['192.0.2.1', '192.0.2.2'])).toEqual(new Set(['192.0.2.1|tcp|443']));
    expect(await storedAlertIds(store, ['x'])).toEqual(new Set());

    const rows = await inventory.services(store, {});
    const by = (ip: string) => rows.find((r) => r.ip === ip)!;
    expect(by('192.0.2.1')).toMatchObject({ seen_by: 'both', active: { sweep_id: id, last_seen: now - 5000 } });
    expect(by('192.0.2.2')).toMatchObject({ state: 'dormant', seen_by: 'active', first_seen: now - 5000 });
    expect((await inventory.services(store, { states: ['dormant'] })).map((r) => r.ip)).toEqual(['192.0.2.2']);
  });
});
