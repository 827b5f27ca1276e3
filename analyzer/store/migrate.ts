// Schema creation and migration from schemas/tables.ts and schemas/aggregates.ts, idempotent,
// run at every start: the database and missing tables are created, columns a newer definition
// has are added, then the aggregate tables (with measures a newer definition has) and the views
// that feed them. A view whose SELECT
// changed (its digest is kept in meta; a view made before digests were kept counts as changed)
// is dropped and made again, so the aggregates are fed the new way from then on; rows already
// aggregated keep what they added. Limits: no table or column is ever dropped or retyped; a
// changed engine, key or measure needs a manual migration; rows inserted by another process
// between a view's drop and its creation are not aggregated (upgrade with the analyzers stopped).
// Rows stored before the views existed are folded in once by fold.ts.
// Cluster mode (clickhouse.cluster; schemas/ddl-cluster.ts): every statement runs ON CLUSTER
// and only for what the server it reached lacks (ON CLUSTER waits for every server, so a start
// with one of them down is not held up when nothing is missing); columns are added to the
// replicated local tables, and a Distributed table missing one is made again (18.16 refuses
// ALTER ON CLUSTER of a non-replicated table on a replicated shard: compat.ts).

import { createHash } from 'node:crypto';
import { AGG_TABLES, type AggSource, type AggTable, type AggTableName } from '../../schemas/aggregates.js';
import {
  aggSelectSql,
  createAggTableSql,
  createTableSql,
  createViewSql,
  measureType,
  viewName,
} from '../../schemas/ddl.js';
import { clusterAggTableSql, clusterTableSql, clusterViewSql, localName } from '../../schemas/ddl-cluster.js';
import { TABLES } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import { lit } from './compat.js';
import { getMeta, setMeta } from './writes.js';
import type { Store } from './store.js';

/** Create the database and tables when missing, add missing columns; returns what was added. */
export async function migrate(s: Store): Promise<string[]> {
  if (s.cluster) return migrateCluster(s, s.cluster);
  const changes: string[] = [];
  await s.command('create database', `CREATE DATABASE IF NOT EXISTS ${s.db}`);
  const existing = new Set(
    (await s.select<{ name: string }>('tables', `SELECT name FROM system.tables WHERE database = ${lit(s.db)}`)).map(
      (r) => r.name,
    ),
  );
  for (const t of TABLES) {
    await s.command(`create ${t.name}`, createTableSql(s.db, t));
    const cols = await s.select<{ name: string }>(
      'columns',
      `SELECT name FROM system.columns WHERE database = ${lit(s.db)} AND table = ${lit(t.name)}`,
    );
    const have = new Set(cols.map((c) => c.name));
    for (const c of t.columns) {
      if (have.has(c.name)) continue;
      // no AFTER clause: 18.16 cannot place a column after a MATERIALIZED one (see compat.ts)
      const def = `${c.name} ${c.type}${'materialized' in c ? ` MATERIALIZED ${c.materialized}` : ''}`;
      await s.command(`alter ${t.name}`, `ALTER TABLE ${s.table(t.name)} ADD COLUMN ${def}`);
      changes.push(`${t.name}.${c.name}`);
    }
  }
  // aggregate tables and views are reported when added to a database that had data before them
  const upgrading = existing.has('observations');
  for (const t of AGG_TABLES) {
    if (upgrading && !existing.has(t.name)) changes.push(t.name);
    await s.command(`create ${t.name}`, createAggTableSql(s.db, t));
    // a measure added by a newer release: its column (empty states for the rows before it; the
    // views made before it leave it empty too, which is what they would have written)
    const cols = await s.select<{ name: string }>(
      'columns',
      `SELECT name FROM system.columns WHERE database = ${lit(s.db)} AND table = ${lit(t.name)}`,
    );
    const have = new Set(cols.map((c) => c.name));
    for (const m of t.measures) {
      if (have.has(m.name)) continue;
      await s.command(
        `alter ${t.name}`,
        `ALTER TABLE ${s.table(t.name as AggTableName)} ADD COLUMN ${m.name} ${measureType(m.fn, m.args)}`,
      );
      changes.push(`${t.name}.${m.name}`);
    }
  }
  // rows stored before the views existed are folded in once (fold.ts): when the views came is
  // what tells those rows from the ones the views counted
  if ((await getMeta(s, VIEWS_CREATED_AT)) === null) await setMeta(s, VIEWS_CREATED_AT, String(Date.now()));
  for (const t of AGG_TABLES)
    for (const src of t.sources) {
      const name = viewName(t, src);
      const v = await staleView(s, t, src, existing, `DROP TABLE IF EXISTS ${s.db}.${name}`);
      if (v === 'redefined') changes.push(`${name} (redefined)`);
      else if (v === 'missing' && upgrading) changes.push(name);
      await s.command(`create ${name}`, createViewSql(s.db, t, src));
      if (v !== 'current') await setMeta(s, `${VIEW_DIGEST}${name}`, viewDigest(s, t, src));
    }
  return changes;
}

/** The meta key prefix of a view's digest (of the SELECT it was made with). */
const VIEW_DIGEST = 'view_digest|';

const viewDigest = (s: Store, t: AggTable, src: AggSource): string =>
  createHash('sha256')
    .update(aggSelectSql(s.db, t, src))
    .digest('hex')
    .slice(0, 32);

/** Whether a view is missing, current, or was made with another SELECT (then it is dropped with `drop`). */
async function staleView(
  s: Store,
  t: AggTable,
  src: AggSource,
  existing: ReadonlySet<string>,
  drop: string,
): Promise<'missing' | 'current' | 'redefined'> {
  const name = viewName(t, src);
  if (!existing.has(name)) return 'missing';
  if ((await getMeta(s, `${VIEW_DIGEST}${name}`)) === viewDigest(s, t, src)) return 'current';
  await s.command(`drop ${name}`, drop);
  return 'redefined';
}

async function tableNames(s: Store): Promise<Set<string>> {
  const rows = await s.select<{ name: string }>(
    'tables',
    `SELECT name FROM system.tables WHERE database = ${lit(s.db)}`,
  );
  return new Set(rows.map((r) => r.name));
}

async function columnNames(s: Store, table: string): Promise<Set<string>> {
  const cols = await s.select<{ name: string }>(
    'columns',
    `SELECT name FROM system.columns WHERE database = ${lit(s.db)} AND table = ${lit(table)}`,
  );
  return new Set(cols.map((c) => c.name));
}

async function migrateCluster(s: Store, cluster: string): Promise<string[]> {
  const changes: string[] = [];
  const [db] = await s.select<{ c: unknown }>(
    'database',
    `SELECT count() AS c FROM system.databases WHERE name = ${lit(s.db)}`,
  );
  if (Number(db.c) === 0)
    await s.command('create database', `CREATE DATABASE IF NOT EXISTS ${s.db} ON CLUSTER ${cluster}`);
  const existing = await tableNames(s);
  const upgrading = existing.has('observations');
  for (const t of TABLES) {
    const [local, distributed] = clusterTableSql(s.db, t, cluster);
    const name = localName(t.name);
    if (!existing.has(name)) await s.command(`create ${name}`, local);
    else {
      const have = await columnNames(s, name);
      for (const c of t.columns) {
        if (have.has(c.name)) continue;
        const def = `${c.name} ${c.type}${'materialized' in c ? ` MATERIALIZED ${c.materialized}` : ''}`;
        await s.command(`alter ${name}`, `ALTER TABLE ${s.db}.${name} ON CLUSTER ${cluster} ADD COLUMN ${def}`);
        changes.push(`${t.name}.${c.name}`);
      }
    }
    if (existing.has(t.name)) {
      const have = await columnNames(s, t.name);
      if (t.columns.every((c) => have.has(c.name))) continue;
      await s.command(`drop ${t.name}`, `DROP TABLE IF EXISTS ${s.db}.${t.name} ON CLUSTER ${cluster}`);
    }
    await s.command(`create ${t.name}`, distributed);
  }
  for (const t of AGG_TABLES) {
    if (upgrading && !existing.has(t.name)) changes.push(t.name);
    const [local, distributed] = clusterAggTableSql(s.db, t, cluster);
    const name = localName(t.name);
    if (!existing.has(name)) await s.command(`create ${name}`, local);
    else {
      // a measure a newer release has: added to the replicated local table, as a column is
      const have = await columnNames(s, name);
      for (const m of t.measures) {
        if (have.has(m.name)) continue;
        await s.command(
          `alter ${name}`,
          `ALTER TABLE ${s.db}.${name} ON CLUSTER ${cluster} ADD COLUMN ${m.name} ${measureType(m.fn, m.args)}`,
        );
        changes.push(`${t.name}.${m.name}`);
      }
    }
    if (existing.has(t.name)) {
      const have = await columnNames(s, t.name);
      if (t.measures.every((m) => have.has(m.name))) continue;
      await s.command(`drop ${t.name}`, `DROP TABLE IF EXISTS ${s.db}.${t.name} ON CLUSTER ${cluster}`);
    }
    await s.command(`create ${t.name}`, distributed);
  }
  if ((await getMeta(s, VIEWS_CREATED_AT)) === null) await setMeta(s, VIEWS_CREATED_AT, String(Date.now()));
  for (const t of AGG_TABLES)
    for (const src of t.sources) {
      const name = viewName(t, src);
      const v = await staleView(s, t, src, existing, `DROP TABLE IF EXISTS ${s.db}.${name} ON CLUSTER ${cluster}`);
      if (v === 'current') continue;
      if (v === 'redefined') changes.push(`${name} (redefined)`);
      else if (upgrading) changes.push(name);
      await s.command(`create ${name}`, clusterViewSql(s.db, t, src, cluster));
      await setMeta(s, `${VIEW_DIGEST}${name}`, viewDigest(s, t, src));
    }
  return changes;
}

/** The meta key holding when the aggregate views were first created (ms). */
export const VIEWS_CREATED_AT = 'views_created_at';
/** The meta key set once rows stored before the views are folded into them (fold.ts). */
export const FOLD_DONE = 'fold_done';

/** Refuses a database that does not exist (a mistyped --database is not created). */
export async function requireDatabase(s: Store): Promise<void> {
  const [r] = await s.select<{ c: unknown }>(
    'database',
    `SELECT count() AS c FROM system.databases WHERE name = ${lit(s.db)}`,
  );
  if (Number(r.c) === 0)
    throw new AnalyzerError(
      'NOT_MIGRATED',
      `database ${s.db} does not exist: check --database (porthole analyzer creates it at its first start)`,
    );
}

/** Refuses, with what to do, a database this release's analyzer has not created or upgraded yet. */
export async function requireInventory(s: Store): Promise<void> {
  await requireDatabase(s);
  const [r] = await s.select<{ c: unknown }>(
    'inventory table',
    `SELECT count() AS c FROM system.tables WHERE database = ${lit(s.db)} AND name IN ('inventory', 'expected_rules')`,
  );
  // the tables may exist (another command created them) before an analyzer folded the old rows
  if (Number(r.c) < 2 || (await getMeta(s, FOLD_DONE)) === null)
    throw new AnalyzerError(
      'NOT_MIGRATED',
      `database ${s.db} has no inventory yet: start \`porthole analyzer\` (this release) once on it; it creates or upgrades the tables`,
    );
}
