// Schema creation and migration from schemas/tables.ts and schemas/aggregates.ts, idempotent,
// run at every start: the database and missing tables are created, columns a newer definition
// has are added, then the aggregate tables (with measures a newer definition has) and the views
// that feed them. Limits: nothing is ever dropped or retyped; a changed engine, key, measure or
// view needs a manual migration.
// Rows stored before the views existed are folded in once by fold.ts.

import { AGG_TABLES, type AggTableName } from '../../schemas/aggregates.js';
import { createAggTableSql, createTableSql, createViewSql, measureType, viewName } from '../../schemas/ddl.js';
import { TABLES } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import { lit } from './compat.js';
import { getMeta, setMeta } from './writes.js';
import type { Store } from './store.js';

/** Create the database and tables when missing, add missing columns; returns what was added. */
export async function migrate(s: Store): Promise<string[]> {
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
      if (upgrading && !existing.has(viewName(t, src))) changes.push(viewName(t, src));
      await s.command(`create ${viewName(t, src)}`, createViewSql(s.db, t, src));
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
