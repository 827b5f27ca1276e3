// The analyzer's connection to ClickHouse: one database on one engine (store/engine.ts), table
// names checked, and every failure turned into a typed AnalyzerError (retriable when the server
// is away, STORE_REJECTED with ClickHouse's code when it refused the statement, STORE_TLS when
// its certificate was refused). What is created, written and read lives beside it: migrate.ts,
// writes.ts, queries.ts.

import { errorMessage, systemErrorText } from '../../common/errors.js';
import { tlsFailure, tlsFailureText } from '../../common/tls.js';
import type { AggTableName } from '../../schemas/aggregates.js';
import type { TableName } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import { localName } from '../../schemas/ddl-cluster.js';
import { CLUSTER_SETTINGS } from './cluster-settings.js';
import { errorCode, ident, isUnavailable, lit } from './compat.js';
import { type Engine, httpEngine } from './engine.js';

const TLS_CHECK = {
  untrusted: 'check clickhouse.ca',
  hostname: 'connect by a name the certificate carries (clickhouse.url)',
  expired: "check the server's certificate",
  handshake: 'check clickhouse.url (https:// on an HTTPS port)',
} as const;

/** ClickHouse's codes for a refused login: unknown user, wrong or missing password, auth failed. */
const AUTH_CODES: ReadonlySet<number> = new Set([192, 193, 194, 516]);

export interface StoreOptions {
  url: string;
  user: string;
  password: string | null;
  database: string;
  /** PEM text of the CAs trusted for an https:// URL (absent: the system's) */
  ca?: string | null;
  /** cluster mode: the cluster's name (docs/cluster.md); absent or null: one server */
  cluster?: string | null;
}

export class Store {
  readonly engine: Engine;
  readonly db: string;
  /** cluster mode's cluster name (schemas/ddl-cluster.ts); null: one server */
  readonly cluster: string | null;
  /** the server as error messages name it */
  private readonly where: string;

  /** A store on a ClickHouse server (options) or on any engine (tests use an in-process one). */
  constructor(o: StoreOptions | { database: string; engine: Engine; cluster?: string | null }) {
    this.db = ident(o.database);
    this.cluster = o.cluster ? ident(o.cluster) : null;
    this.engine =
      'engine' in o ? o.engine : httpEngine({ ...o, ...(this.cluster ? { settings: CLUSTER_SETTINGS } : {}) });
    this.where = 'engine' in o ? o.engine.name : o.url;
  }

  /** A table's qualified name, `db.table` (in cluster mode its Distributed table: every shard). */
  table(name: TableName | AggTableName): string {
    return `${this.db}.${ident(name)}`;
  }

  /** Where a table's rows are stored: the table itself, or in cluster mode its `_local` tables. */
  localTable(name: TableName | AggTableName): string {
    return this.cluster ? `${this.db}.${localName(ident(name))}` : this.table(name);
  }

  /** ` ON CLUSTER name` in cluster mode (a statement then runs on every server), else nothing. */
  get onCluster(): string {
    return this.cluster ? ` ON CLUSTER ${this.cluster}` : '';
  }

  /** `FROM … WHERE …` of a table's parts: in cluster mode those of one replica of every shard. */
  partsOf(name: TableName | AggTableName): string {
    const where = `WHERE database = ${lit(this.db)}`;
    return this.cluster
      ? `FROM cluster(${this.cluster}, system, parts) ${where} AND table = ${lit(localName(ident(name)))}`
      : `FROM system.parts ${where} AND table = ${lit(ident(name))}`;
  }

  async command(what: string, sql: string): Promise<void> {
    await this.run(what, () => this.engine.command(sql));
  }

  async select<T>(what: string, query: string): Promise<T[]> {
    return this.run(what, () => this.engine.selectJsonEachRow<T>(query));
  }

  /** Rows into a table as JSONEachRow; nothing is sent for no rows. (Typed callers: writes.ts.) */
  async insertJson(table: TableName, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.run(`insert into ${table}`, () => this.engine.insertJsonEachRow(this.table(table), rows as object[]));
  }

  async version(): Promise<string> {
    const rows = await this.select<{ v: string }>('version', 'SELECT version() AS v');
    return rows[0].v;
  }

  async close(): Promise<void> {
    await this.engine.close();
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const tls = tlsFailure(err);
      if (tls)
        throw new AnalyzerError(
          'STORE_TLS',
          `clickhouse ${this.where}: ${tlsFailureText(tls)}; ${TLS_CHECK[tls.kind]}`,
          {
            cause: err,
          },
        );
      if (isUnavailable(err))
        throw new AnalyzerError(
          'STORE_UNAVAILABLE',
          `ClickHouse at ${this.where} unreachable: ${systemErrorText(err)}`,
          {
            retriable: true,
            cause: err,
          },
        );
      // 18.16's errors reach the client as text: the code is read from it (compat.errorCode)
      const code = errorCode(err);
      if (code !== null && AUTH_CODES.has(code))
        throw new AnalyzerError(
          'STORE_AUTH',
          `clickhouse ${this.where}: user or password refused (${errorMessage(err)
            .split('\n')[0]
            .replace(/,? e\.what\(\) = .*$/, '')}); check clickhouse.user and clickhouse.password`,
          { cause: err, clickhouseCode: code },
        );
      throw new AnalyzerError('STORE_REJECTED', `clickhouse refused ${what}: ${errorMessage(err).split('\n')[0]}`, {
        cause: err,
        clickhouseCode: code,
      });
    }
  }
}
