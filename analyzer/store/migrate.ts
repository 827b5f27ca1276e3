// Schema creation and migration from schemas/tables.ts, idempotent, run at every start: the
// database and missing tables are created, columns a newer definition has are added. Limits:
// nothing is ever dropped or retyped; a changed engine or key needs a manual migration.

import { createTableSql } from '../../schemas/ddl.js';
import { TABLES } from '../../schemas/tables.js';
import { lit } from './compat.js';
import type { Store } from './store.js';

/** Create the database and tables when missing, add missing columns; returns `table.column`s added. */
export async function migrate(s: Store): Promise<string[]> {
  const changes: string[] = [];
  await s.command('create database', `CREATE DATABASE IF NOT EXISTS ${s.db}`);
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
  return changes;
}
