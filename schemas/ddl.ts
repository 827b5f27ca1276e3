// CREATE TABLE statements from schemas/tables.ts, in the syntax both ClickHouse 18.16 and
// current versions accept (custom partitioning key syntax; no settings clause).

import { TABLES, type Table } from './tables.js';

export function createTableSql(db: string, t: Table): string {
  const cols = t.columns.map(
    (c) => `    ${c.name} ${c.type}${c.materialized ? ` MATERIALIZED ${c.materialized}` : ''}`,
  );
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${t.name}`,
    '(',
    cols.join(',\n'),
    ')',
    `ENGINE = ${t.engine}`,
    ...(t.partitionBy ? [`PARTITION BY ${t.partitionBy}`] : []),
    `ORDER BY (${t.orderBy.join(', ')})`,
  ].join('\n');
}

/** The whole schema as one SQL file (schemas/generated/clickhouse.sql), database "porthole". */
export function schemaSql(db = 'porthole'): string {
  const head = '-- Generated from schemas/tables.ts by `porthole schema`. Do not edit: a test fails when it drifts.\n';
  return `${head + [`CREATE DATABASE IF NOT EXISTS ${db}`, ...TABLES.map((t) => createTableSql(db, t))].join(';\n\n')};\n`;
}
