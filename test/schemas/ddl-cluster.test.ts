// The cluster-mode DDL's rules (schemas/ddl-cluster.ts) without a server: every table gets a
// replicated local table and a Distributed one; the sharding key keeps an endpoint on one shard
// and rows that collapse together on one shard; views read and write local tables; the
// configuration key is validated; the single-server DDL is left as it was (units.test.ts).

import { describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';
import { AGG_TABLES } from '../../schemas/aggregates.js';
import { clusterSchemaSql, clusterSchemaStatements, replicatedEngine, shardingKey } from '../../schemas/ddl-cluster.js';
import { porthole } from '../support/porthole.js';
import { TABLES } from '../../schemas/tables.js';

const stmts = clusterSchemaStatements('pdb', 'porthole');
const create = (name: string) => {
  const s = stmts.find((x) => x.startsWith(`CREATE TABLE IF NOT EXISTS pdb.${name} ON CLUSTER porthole\n`));
  if (!s) throw new Error(`no CREATE for ${name}`);
  return s;
};

describe('cluster-mode DDL', () => {
  it('makes every table a replicated local table and a Distributed table, all ON CLUSTER', () => {
    for (const t of [...TABLES, ...AGG_TABLES]) {
      expect(create(`${t.name}_local`)).toMatch(
        new RegExp(
          `ENGINE = Replicated\\w+MergeTree\\('/clickhouse/tables/\\{shard\\}/pdb/${t.name}', '\\{replica\\}'`,
        ),
      );
      expect(create(t.name)).toMatch(
        new RegExp(`ENGINE = Distributed\\(porthole, pdb, ${t.name}_local, cityHash64\\(`),
      );
    }
    expect(stmts.every((s) => s.includes(' ON CLUSTER porthole'))).toBe(true);
    const views = AGG_TABLES.reduce((n, t) => n + t.sources.length, 0);
    expect(stmts).toHaveLength(1 + 2 * (TABLES.length + AGG_TABLES.length) + views);
  });

  it('keeps engine arguments after the replication path', () => {
    expect(replicatedEngine('ReplacingMergeTree(version)', 'd', 't')).toBe(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/d/t', '{replica}', version)",
    );
    expect(replicatedEngine('AggregatingMergeTree()', 'd', 't')).toBe(
      "ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/d/t', '{replica}')",
    );
  });

  it("shards by the endpoint's address where tables are keyed by it, else by the first order-key column", () => {
    for (const name of [
      'observations',
      'endpoint_states',
      'verifications',
      'exposure_events',
      'inventory',
      'rollup_hourly',
    ])
      expect(create(name)).toContain('_local, cityHash64(ip))');
    expect(create('alerts')).toContain('alerts_local, cityHash64(alert_id))');
    expect(create('meta')).toContain('meta_local, cityHash64(key))');
    expect(shardingKey(['ts', 'event_id'])).toBe('cityHash64(ts)');
  });

  it('declares MATERIALIZED columns as ALIAS in Distributed tables only', () => {
    expect(create('observations_local')).toMatch(/ip_num FixedString\(16\) MATERIALIZED /);
    expect(create('observations')).toMatch(/ip_num FixedString\(16\) ALIAS /);
    expect(create('observations')).not.toContain('MATERIALIZED');
  });

  it('feeds the local aggregate tables from the local source tables', () => {
    const view = stmts.find((s) =>
      s.startsWith('CREATE MATERIALIZED VIEW IF NOT EXISTS pdb.inventory_from_observations '),
    );
    expect(view).toContain('ON CLUSTER porthole TO pdb.inventory_local AS');
    expect(view).toContain('FROM pdb.observations_local');
  });

  it('validates clickhouse.cluster (default: one server)', () => {
    expect(loadAnalyzerConfig({ env: {} }).clickhouse.cluster).toBeNull();
    expect(loadAnalyzerConfig({ env: { PORTHOLE_CLICKHOUSE_CLUSTER: 'porthole' } }).clickhouse.cluster).toBe(
      'porthole',
    );
    expect(() => loadAnalyzerConfig({ env: { PORTHOLE_CLICKHOUSE_CLUSTER: 'a b' } })).toThrow(
      /clickhouse.cluster: letters, digits and _ only/,
    );
    expect(() => clusterSchemaStatements('pdb', "x'")).toThrow(/not a cluster name/);
  });
});

describe('porthole schema --cluster', () => {
  it('prints the cluster DDL; refuses a bad name', () => {
    const r = porthole(['schema', '--cluster', 'porthole', '--database', 'pdb']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(clusterSchemaSql('pdb', 'porthole'));
    const bad = porthole(['schema', '--cluster', 'a-b']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--cluster: letters, digits and _ only');
  });
});
