// Every difference between the ClickHouse versions Porthole supports lives here:
//  - 18.16 (Debian bookworm) and 25.8+ return UInt64 in JSON formats differently (quoted
//    strings before 25.8, numbers after): `u64()` accepts both.
//  - 18.16's errors reach the client as plain text, not parsed into codes: `errorCode()` reads
//    "Code: NNN" from the message as well as the client's `code` field.
//  - Neither `query_params` (unsupported by 18.16) nor server-side escaping is used: every
//    literal goes through `lit()`/`ident()`, the one audited escaping helper.
// Version notes for SQL written elsewhere (each found by test/analyzer/store-engines.int.test.ts,
// which runs every store statement on 18.16 and on 26.x):
//  - no IPv4/IPv6 types, TTL, CODEC, DateTime64, LowCardinality, SimpleAggregateFunction (18.16);
//  - no `if()` whose branches could throw: 26.x evaluates both;
//  - never alias an aggregate with the name of a column the query also reads: 26.x resolves
//    `WHERE status …` to `argMax(status, ts) AS status` (ILLEGAL_AGGREGATION), 18.16 does not;
//  - `ALTER TABLE … ADD COLUMN … AFTER x` fails on 18.16 when x is MATERIALIZED: no AFTER;
//  - joins only on aliased subqueries; the new MergeTree syntax only (current versions refuse
//    `MergeTree(date, key, 8192)`).
// Cluster mode (schemas/ddl-cluster.ts; test/deploy/cluster-clickhouse.int.test.ts on 18.16,
// test/deploy/cluster-ddl-current.int.test.ts on 26.x):
//  - 18.16 forwards a Distributed table's MATERIALIZED column to the shards on insert, and they
//    refuse it (code 44): a Distributed table declares such a column ALIAS;
//  - 18.16 refuses `ALTER … ON CLUSTER` of a non-replicated table, such as a Distributed one, on
//    a cluster whose shards replicate internally (code 371): migrate.ts makes it again instead;
//  - 18.16 fails `OPTIMIZE TABLE … FINAL` of a replicated table without parts ("Unknown log
//    entry type: 0", code 49): optimize only tables that have parts;
//  - ON CLUSTER statements need the servers' ZooKeeper (18.16) or Keeper (current), the same
//    statements for both; current versions call insert_distributed_sync
//    distributed_foreground_insert and still take the old name (cluster-settings.ts).

import { AnalyzerError } from '../errors.js';

/** A UInt64 read from JSON output, whichever way the server wrote it. */
export function u64(v: unknown): number {
  return typeof v === 'number' ? v : Number(v as string);
}

/** A string literal for SQL: quoted, with backslash and quote escaped, no control bytes. */
export function lit(v: string | number): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new AnalyzerError('BAD_SQL_VALUE', `not a finite number: ${v}`);
    return String(v);
  }
  let out = "'";
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/** A database or table name: letters, digits and underscore only (refused otherwise). */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name))
    throw new AnalyzerError('BAD_SQL_VALUE', `not a valid identifier: ${JSON.stringify(name)}`);
  return name;
}

/** The ClickHouse error code of a failure, whether the client parsed it (new) or not (18.16). */
export function errorCode(err: unknown): number | null {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && /^\d+$/.test(e.code)) return Number(e.code);
  const m = /Code: (\d+)/.exec(String(e?.message ?? ''));
  return m ? Number(m[1]) : null;
}

/** Whether a failure means the server is away (retry later) rather than our query being wrong. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (
    typeof e?.code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|UND_ERR_SOCKET)$/.test(e.code)
  )
    return true;
  return /ECONNREFUSED|ECONNRESET|socket hang up|Timeout error|timed out|other side closed/i.test(
    String(e?.message ?? ''),
  );
}
