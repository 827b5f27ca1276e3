// CREATE statements from schemas/tables.ts and schemas/aggregates.ts, in the syntax both
// ClickHouse 18.16 and current versions accept (custom partitioning key syntax; no settings
// clause; materialized views `TO` a table, listing every column of it).

import { type AggSource, type AggTable, AGG_TABLES, type ArgType } from './aggregates.js';
import { TABLES, type Table } from './tables.js';

/** A table's column definitions; `computed` is how MATERIALIZED columns are declared. */
export function columnDefs(t: Table, computed: 'MATERIALIZED' | 'ALIAS' = 'MATERIALIZED'): string[] {
  return t.columns.map((c) => `    ${c.name} ${c.type}${c.materialized ? ` ${computed} ${c.materialized}` : ''}`);
}

/** `CREATE TABLE`: `head` is everything before the column list (name, ON CLUSTER). */
export function tableSql(
  head: string,
  cols: readonly string[],
  engine: string,
  partitionBy: string | undefined,
  orderBy: readonly string[],
): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${head}`,
    '(',
    cols.join(',\n'),
    ')',
    `ENGINE = ${engine}`,
    ...(partitionBy ? [`PARTITION BY ${partitionBy}`] : []),
    `ORDER BY (${orderBy.join(', ')})`,
  ].join('\n');
}

export function createTableSql(db: string, t: Table): string {
  return tableSql(`${db}.${t.name}`, columnDefs(t), t.engine, t.partitionBy, t.orderBy);
}

/** The type of a measure's column: `AggregateFunction(fn, args…)`. */
export function measureType(fn: string, args: readonly ArgType[]): string {
  return `AggregateFunction(${[fn, ...args].join(', ')})`;
}

/** An aggregate table's column definitions: its keys, then one state column per measure. */
export function aggColumnDefs(t: AggTable): string[] {
  return [
    ...t.keys.map((k) => `    ${k.name} ${k.type}`),
    ...t.measures.map((m) => `    ${m.name} ${measureType(m.fn, m.args)}`),
  ];
}

export const AGG_ENGINE = 'AggregatingMergeTree()';

export function createAggTableSql(db: string, t: AggTable): string {
  return tableSql(
    `${db}.${t.name}`,
    aggColumnDefs(t),
    AGG_ENGINE,
    t.partitionBy,
    t.keys.map((k) => k.name),
  );
}

/** A typed zero of an argument type: the arguments of an empty state. */
const ZERO: Record<ArgType, string> = {
  UInt8: 'toUInt8(0)',
  UInt16: 'toUInt16(0)',
  UInt32: 'toUInt32(0)',
  UInt64: 'toUInt64(0)',
  Int32: 'toInt32(0)',
  String: "''",
  'Array(UInt8)': 'CAST([] AS Array(UInt8))',
  'Array(String)': 'CAST([] AS Array(String))',
};

/** `fnState(args)`, or an empty state of the same type when the source does not feed it. */
function stateExpr(fn: string, args: readonly ArgType[], feed: readonly string[] | undefined): string {
  const paren = fn.indexOf('(');
  const [name, params] = paren < 0 ? [fn, ''] : [fn.slice(0, paren), fn.slice(paren)];
  if (feed) return `${name}State${params}(${feed.join(', ')})`;
  return `${name}StateIf${params}(${[...args.map((a) => ZERO[a]), '0'].join(', ')})`;
}

/**
 * The SELECT a source's view runs on each inserted block; also folds rows stored before the view
 * existed (`final`: read them without duplicates; `where`: a slice of them; `from`: the table read
 * instead of the source's own, e.g. its `_local` table in cluster mode).
 */
export function aggSelectSql(
  db: string,
  t: AggTable,
  src: AggSource,
  o: { where?: string; final?: boolean; from?: string } = {},
): string {
  const where = [src.where, o.where].filter(Boolean).join(' AND ');
  const keys = t.keys.map((k) => (src.keys[k.name] === k.name ? k.name : `${src.keys[k.name]} AS ${k.name}`));
  const measures = t.measures.map(
    (m) => `${stateExpr(m.fn, m.args, (src.feeds as Record<string, readonly string[]>)[m.name])} AS ${m.name}`,
  );
  return [
    `SELECT ${[...keys, ...measures].join(',\n       ')}`,
    `FROM ${db}.${o.from ?? src.table}${o.final ? ' FINAL' : ''}`,
    ...(where ? [`WHERE ${where}`] : []),
    `GROUP BY ${t.keys.map((k) => k.name).join(', ')}`,
  ].join('\n');
}

export function viewName(t: AggTable, src: AggSource): string {
  return `${t.name}_from_${src.as}`;
}

export function createViewSql(db: string, t: AggTable, src: AggSource): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${viewName(t, src)} TO ${db}.${t.name} AS\n${aggSelectSql(db, t, src)}`;
}

/** Every CREATE statement in order: database, tables, aggregate tables, their views. */
export function schemaStatements(db: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    ...TABLES.map((t) => createTableSql(db, t)),
    ...AGG_TABLES.map((t) => createAggTableSql(db, t)),
    ...AGG_TABLES.flatMap((t) => t.sources.map((src) => createViewSql(db, t, src))),
  ];
}

/** The whole schema as one SQL file (schemas/generated/clickhouse.sql), database "porthole". */
export function schemaSql(db = 'porthole'): string {
  const head = '-- Generated from schemas/ by `porthole schema`. Do not edit: a test fails when it drifts.\n';
  return `${head + schemaStatements(db).join(';\n\n')};\n`;
}
