// The seam between the store and a ClickHouse engine: four operations, two implementations.
// `httpEngine` talks to a ClickHouse server with @clickhouse/client (production; Debian's 18.16
// in tests); `chdbEngine` runs the current ClickHouse (26.x) in-process through the `chdb`
// package, so every statement the store issues is also proven on a current engine.
// Inserts are always JSONEachRow.

import { createRequire } from 'node:module';
import { type ClickHouseSettings, ClickHouseLogLevel, createClient } from '@clickhouse/client';

export interface Engine {
  readonly name: string;
  command(sql: string): Promise<void>;
  insertJsonEachRow(table: string, rows: object[]): Promise<void>;
  selectJsonEachRow<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

/** `ca`: PEM text of the CAs trusted for an https:// URL (absent: the system's); `settings`: sent with every statement. */
export function httpEngine(o: {
  url: string;
  user: string;
  password: string | null;
  ca?: string | null;
  settings?: ClickHouseSettings;
}): Engine {
  const client = createClient({
    url: o.url,
    ...(o.settings ? { clickhouse_settings: o.settings } : {}),
    ...(o.ca ? { tls: { ca_cert: Buffer.from(o.ca) } } : {}),
    username: o.user,
    password: o.password ?? '',
    request_timeout: 30_000,
    compression: { request: false, response: false },
    log: { level: ClickHouseLogLevel.OFF }, // failures surface as typed errors, logged once by the caller
  });
  return {
    name: `http:${o.url}`,
    async command(sql) {
      await client.command({ query: sql });
    },
    async insertJsonEachRow(table, rows) {
      await client.insert({ table, values: rows, format: 'JSONEachRow' });
    },
    async selectJsonEachRow<T>(sql: string) {
      const rs = await client.query({ query: sql, format: 'JSONEachRow' });
      return (await rs.json()) as T[];
    },
    close: () => client.close(),
  };
}

interface ChdbSession {
  query(sql: string, format: string): string;
  insert(p: { table: string; values: Buffer; format: string }): Promise<unknown>;
  close(): void;
}

/** An in-process current ClickHouse (the `chdb` package, a dev dependency) with data in `dir`. */
export function chdbEngine(dir: string): Engine {
  const require = createRequire(import.meta.url);
  const { Session } = require('chdb') as { Session: new (path: string) => ChdbSession };
  const s = new Session(dir);
  const version = String(s.query('SELECT version()', 'TSV')).trim();
  return {
    name: `chdb:${version}`,
    async command(sql) {
      s.query(sql, 'TSV');
    },
    async insertJsonEachRow(table, rows) {
      if (rows.length === 0) return;
      await s.insert({
        table,
        values: Buffer.from(`${rows.map((r) => JSON.stringify(r)).join('\n')}\n`),
        format: 'JSONEachRow',
      });
    },
    async selectJsonEachRow<T>(sql: string) {
      const out = String(s.query(sql, 'JSONEachRow'));
      return out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)) as T[];
    },
    async close() {
      s.close();
    },
  };
}
