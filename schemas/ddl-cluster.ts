// The schema in cluster mode (clickhouse.cluster): the tables of schemas/tables.ts and
// schemas/aggregates.ts, created `ON CLUSTER` on every server. Each table is `<name>_local`, a
// Replicated* engine whose replicas (the servers of one shard) agree through ZooKeeper or
// ClickHouse Keeper at /clickhouse/tables/{shard}/<db>/<name>, and a Distributed table under the
// original name over the locals of all shards, so every query keeps its table names. The
// materialized views read the local source tables and write the local aggregate tables: an
// insert on a shard updates that shard's aggregates; replication copies both tables' parts.
// Rules kept here:
//  - the sharding key is cityHash64 of the endpoint's address for every table keyed by it (one
//    endpoint lives on one shard, with its windows, state, verifications and aggregates), else of
//    the first order-key column: rows that collapse together (same order key) share a shard,
//    so FINAL and the merges deduplicate per shard exactly as on one server;
//  - a Distributed table declares a MATERIALIZED column as ALIAS of the same expression (18.16
//    forwards a Distributed table's MATERIALIZED column to the shards, which refuse it; see
//    analyzer/store/compat.ts); reads compute it on the shard;
//  - the macros {shard} and {replica} come from each server's configuration.

import { AGG_TABLES, type AggTable } from './aggregates.js';
import { AGG_ENGINE, aggColumnDefs, aggSelectSql, columnDefs, tableSql, viewName } from './ddl.js';
import { TABLES, type Table } from './tables.js';

/** A cluster name as ClickHouse's configuration names it (letters, digits, _). */
export const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The replicated table holding a shard's rows of a table. */
export const localName = (name: string): string => `${name}_local`;

/** `ReplacingMergeTree(version)` → `ReplicatedReplacingMergeTree('<path>', '{replica}', version)`. */
export function replicatedEngine(engine: string, db: string, name: string): string {
  const m = /^([A-Za-z]*MergeTree)\((.*)\)$/.exec(engine);
  if (!m) throw new Error(`not a MergeTree engine: ${engine}`);
  const args = [`'/clickhouse/tables/{shard}/${db}/${name}'`, "'{replica}'", ...(m[2] ? [m[2]] : [])];
  return `Replicated${m[1]}(${args.join(', ')})`;
}

/** The Distributed table's sharding key for a table ordered by `orderBy`. */
export function shardingKey(orderBy: readonly string[]): string {
  return `cityHash64(${orderBy.includes('ip') ? 'ip' : orderBy[0]})`;
}

const onCluster = (db: string, name: string, cluster: string) => `${db}.${name} ON CLUSTER ${cluster}`;

function distributedSql(db: string, name: string, cols: readonly string[], key: string, cluster: string): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${onCluster(db, name, cluster)}`,
    '(',
    cols.join(',\n'),
    ')',
    `ENGINE = Distributed(${cluster}, ${db}, ${localName(name)}, ${key})`,
  ].join('\n');
}

/** A table's two statements: its replicated local table, then its Distributed table. */
export function clusterTableSql(db: string, t: Table, cluster: string): [string, string] {
  return [
    tableSql(
      onCluster(db, localName(t.name), cluster),
      columnDefs(t),
      replicatedEngine(t.engine, db, t.name),
      t.partitionBy,
      t.orderBy,
    ),
    clusterDistributedSql(db, t, cluster),
  ];
}

/** A table's Distributed table alone (migrate.ts makes it again when columns were added). */
export function clusterDistributedSql(db: string, t: Table, cluster: string): string {
  return distributedSql(db, t.name, columnDefs(t, 'ALIAS'), shardingKey(t.orderBy), cluster);
}

export function clusterAggTableSql(db: string, t: AggTable, cluster: string): [string, string] {
  const keys = t.keys.map((k) => k.name);
  return [
    tableSql(
      onCluster(db, localName(t.name), cluster),
      aggColumnDefs(t),
      replicatedEngine(AGG_ENGINE, db, t.name),
      t.partitionBy,
      keys,
    ),
    distributedSql(db, t.name, aggColumnDefs(t), shardingKey(keys), cluster),
  ];
}

/** The views of an aggregate table: from each source's local table into its local table. */
export function clusterViewSql(db: string, t: AggTable, src: AggTable['sources'][number], cluster: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${onCluster(db, viewName(t, src), cluster)} TO ${db}.${localName(t.name)} AS\n${aggSelectSql(db, t, src, { from: localName(src.table) })}`;
}

/** Every cluster statement in order: database, tables, aggregate tables, their views. */
export function clusterSchemaStatements(db: string, cluster: string): string[] {
  if (!CLUSTER_NAME.test(cluster)) throw new Error(`not a cluster name: ${JSON.stringify(cluster)}`);
  return [
    `CREATE DATABASE IF NOT EXISTS ${db} ON CLUSTER ${cluster}`,
    ...TABLES.flatMap((t) => clusterTableSql(db, t, cluster)),
    ...AGG_TABLES.flatMap((t) => clusterAggTableSql(db, t, cluster)),
    ...AGG_TABLES.flatMap((t) => t.sources.map((src) => clusterViewSql(db, t, src, cluster))),
  ];
}

/** The cluster schema as one SQL file (`porthole schema --cluster NAME`). */
export function clusterSchemaSql(db: string, cluster: string): string {
  const head = `-- Generated from schemas/ by \`porthole schema --cluster ${cluster}\` (cluster mode: clickhouse.cluster).\n`;
  return `${head + clusterSchemaStatements(db, cluster).join(';\n\n')};\n`;
}
