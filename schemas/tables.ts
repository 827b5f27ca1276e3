// ClickHouse tables, defined once: columns, engine, order and partition keys. schemas/ddl.ts
// turns them into CREATE statements that run on Debian's 18.16 and on current ClickHouse
// (no IPv4/IPv6 types, TTL, CODEC, DateTime64, LowCardinality or SimpleAggregateFunction;
// addresses as FixedString(16) computed from canonical text). The generated SQL is committed in
// schemas/generated/clickhouse.sql and a test fails when it drifts.

import { observationSchema } from './observation.js';

export interface Column {
  name: string;
  type: string;
  /** MATERIALIZED expression (computed by ClickHouse on insert, never inserted). */
  materialized?: string;
  doc: string;
}

export interface Table {
  name: string;
  doc: string;
  columns: Column[];
  engine: string; // e.g. ReplacingMergeTree(version)
  partitionBy?: string;
  orderBy: string[];
}

/** The 16-byte form of a canonical address column: IPv4 as ::ffff:a.b.c.d (works on both). */
export const ipNum = (col: string): string =>
  `IPv6StringToNum(concat(if(position(${col}, ':') > 0, '', '::ffff:'), ${col}))`;

const CH_TYPES: Record<string, string> = { 8: 'UInt8', 16: 'UInt16', 32: 'UInt32', 53: 'UInt64' };

/** Columns for every Observation field, from the one Observation definition. */
function observationColumns(): Column[] {
  return Object.entries(observationSchema).map(([name, f]) => {
    let type: string;
    if (f.kind === 'uint') type = CH_TYPES[f.bits];
    else if (f.kind === 'const') type = 'UInt8';
    else type = 'String';
    if ('nullable' in f && f.nullable) type = `Nullable(${type})`;
    return { name, type, doc: f.doc };
  });
}

/** The key columns of anything about one endpoint: address (text and 16 bytes), protocol, port. */
const endpointColumns = (): Column[] => [
  { name: 'ip', type: 'String', doc: 'server address, canonical text' },
  { name: 'ip_num', type: 'FixedString(16)', materialized: ipNum('ip'), doc: 'ip as 16 bytes' },
  { name: 'proto', type: 'String', doc: 'tcp' },
  { name: 'port', type: 'UInt16', doc: 'server port' },
];

export const TABLES: Table[] = [
  {
    name: 'observations',
    doc: 'every Observation as received; duplicates (redelivery, resends) collapse on the order key',
    columns: [
      { name: 'day', type: 'Date', doc: 'UTC day of window_start (partition)' },
      ...observationColumns(),
      { name: 'ip_num', type: 'FixedString(16)', materialized: ipNum('ip'), doc: 'ip as 16 bytes' },
      { name: 'client_outside', type: 'UInt8', doc: '1 when sample_client is outside the home networks' },
      { name: 'ingested_at', type: 'DateTime', doc: 'when the analyzer stored it' },
    ],
    engine: 'ReplacingMergeTree()',
    partitionBy: 'day',
    orderBy: ['ip', 'proto', 'port', 'sensor', 'window_start'],
  },
  {
    name: 'endpoint_states',
    doc: 'state of each tracked endpoint; the row with the highest version wins',
    columns: [
      ...endpointColumns(),
      { name: 'state', type: 'String', doc: 'new | verifying | active | stale | reopened' },
      { name: 'since', type: 'UInt64', doc: 'ms since the epoch the state was entered' },
      { name: 'first_seen', type: 'UInt64', doc: 'ms' },
      { name: 'last_seen', type: 'UInt64', doc: 'ms' },
      { name: 'reason', type: 'String', doc: 'why: learning, expected, alerted, syn_proxy, not_seen…' },
      { name: 'version', type: 'UInt64', doc: 'monotonic per endpoint (ms of the change)' },
    ],
    engine: 'ReplacingMergeTree(version)',
    orderBy: ['ip', 'proto', 'port'],
  },
  {
    name: 'alerts',
    doc: 'one row per alert; alert_id is deterministic so a redelivered batch cannot add a second',
    columns: [
      { name: 'day', type: 'Date', doc: 'UTC day (partition)' },
      { name: 'alert_id', type: 'String', doc: 'kind|ip|proto|port[|epoch]' },
      { name: 'ts', type: 'UInt64', doc: 'ms' },
      { name: 'kind', type: 'String', doc: 'new_service | reopened_service | syn_proxy_host' },
      { name: 'severity', type: 'String', doc: 'low | medium | high' },
      { name: 'ip', type: 'String', doc: 'server address' },
      { name: 'proto', type: 'String', doc: 'tcp' },
      { name: 'port', type: 'UInt16', doc: '0 for host-level alerts' },
      { name: 'message', type: 'String', doc: 'one line for humans' },
      { name: 'details', type: 'String', doc: 'JSON' },
    ],
    engine: 'ReplacingMergeTree()',
    partitionBy: 'day',
    orderBy: ['alert_id'],
  },
  {
    name: 'alert_deliveries',
    doc: 'which sink took which alert (the outbox: undelivered alerts are retried)',
    columns: [
      { name: 'alert_id', type: 'String', doc: 'alerts.alert_id' },
      { name: 'sink', type: 'String', doc: 'kafka | webhook:<url>' },
      { name: 'delivered_at', type: 'UInt64', doc: 'ms' },
    ],
    engine: 'ReplacingMergeTree()',
    orderBy: ['alert_id', 'sink'],
  },
  {
    name: 'verifications',
    doc: 'every active verification of an endpoint (nmap -sV), newest last; status pending until done',
    columns: [
      { name: 'day', type: 'Date', doc: 'UTC day (partition)' },
      ...endpointColumns(),
      { name: 'ts', type: 'UInt64', doc: 'ms: when requested (pending) or finished' },
      {
        name: 'status',
        type: 'String',
        doc: 'pending | verified_open | filtered_to_scanner | closed_now | unverifiable | refused',
      },
      { name: 'nmap_state', type: 'String', doc: "nmap's port state" },
      { name: 'reason', type: 'String', doc: "nmap's reason, or why it was refused / unverifiable" },
      { name: 'service', type: 'String', doc: 'service name' },
      { name: 'product', type: 'String', doc: 'product' },
      { name: 'version', type: 'String', doc: 'version' },
      { name: 'extrainfo', type: 'String', doc: 'extra info' },
      { name: 'cpe', type: 'String', doc: 'CPEs, space-separated' },
      { name: 'duration_ms', type: 'UInt32', doc: 'nmap run time' },
      { name: 'attempt', type: 'UInt8', doc: '1, or 2 for the slow-host retry' },
    ],
    engine: 'ReplacingMergeTree()',
    partitionBy: 'day',
    orderBy: ['ip', 'proto', 'port', 'ts', 'status'],
  },
  {
    name: 'meta',
    doc: 'analyzer facts that outlive a process (first start, for the learning period)',
    columns: [
      { name: 'key', type: 'String', doc: 'name' },
      { name: 'value', type: 'String', doc: 'value' },
      { name: 'version', type: 'UInt64', doc: 'ms' },
    ],
    engine: 'ReplacingMergeTree(version)',
    orderBy: ['key'],
  },
];
