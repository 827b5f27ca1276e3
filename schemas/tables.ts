// ClickHouse tables, defined once: columns, engine, order and partition keys. schemas/ddl.ts
// turns them into CREATE statements that run on Debian's 18.16 and on current ClickHouse
// (no IPv4/IPv6 types, TTL, CODEC, DateTime64, LowCardinality or SimpleAggregateFunction;
// addresses as FixedString(16) computed from canonical text). The generated SQL is committed in
// schemas/generated/clickhouse.sql and a test fails when it drifts. The TS type of a table's
// rows (`RowOf`) is derived from its column types, so a row and its table cannot disagree.

import type { Field } from './fields.js';
import { observationSchema } from './observation.js';

/** The ClickHouse column types Porthole uses (each has a TS type in `TsOfColumn`). */
export type ColumnType =
  | 'String'
  | 'Date'
  | 'DateTime'
  | 'FixedString(16)'
  | 'UInt8'
  | 'UInt16'
  | 'UInt32'
  | 'UInt64'
  | 'Array(String)'
  | 'Array(UInt8)'
  | `Nullable(${'UInt8' | 'UInt16' | 'UInt32' | 'UInt64' | 'String'})`;

export interface Column<N extends string = string, T extends ColumnType = ColumnType> {
  name: N;
  type: T;
  /** MATERIALIZED expression (computed by ClickHouse on insert, never inserted). */
  materialized?: string;
  doc: string;
}

export interface Table<C extends Column = Column> {
  name: string;
  doc: string;
  columns: readonly C[];
  engine: string; // e.g. ReplacingMergeTree(version)
  partitionBy?: string;
  orderBy: readonly string[];
}

/** The TS type of a value of a column type, as inserted and as read back (after compat.u64). */
type TsOfColumn<T> = T extends `Nullable(${infer I})`
  ? TsOfColumn<I> | null
  : T extends `Array(${infer I})`
    ? TsOfColumn<I>[]
    : T extends 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64' | 'DateTime'
      ? number
      : string;

/** A row of a table as inserted: every column but the MATERIALIZED ones. */
export type RowOf<T extends Table> = {
  [C in T['columns'][number] as C extends { materialized: string } ? never : C['name']]: TsOfColumn<C['type']>;
};

const col = <const N extends string, const T extends ColumnType>(name: N, type: T, doc: string): Column<N, T> => ({
  name,
  type,
  doc,
});

/** The 16-byte form of a canonical address column: IPv4 as ::ffff:a.b.c.d (works on both). */
export const ipNum = (col: string): string =>
  `IPv6StringToNum(concat(if(position(${col}, ':') > 0, '', '::ffff:'), ${col}))`;

const ipNumColumn = {
  name: 'ip_num',
  type: 'FixedString(16)',
  materialized: ipNum('ip'),
  doc: 'ip as 16 bytes',
} as const satisfies Column;

type UIntType<F> = F extends { bits: 8 }
  ? 'UInt8'
  : F extends { bits: 16 }
    ? 'UInt16'
    : F extends { bits: 32 }
      ? 'UInt32'
      : 'UInt64';
type ColumnTypeOfField<F extends Field> = F extends { kind: 'const' }
  ? 'UInt8'
  : F extends { kind: 'ipList' }
    ? 'Array(String)'
    : F extends { kind: 'uint8List' }
      ? 'Array(UInt8)'
      : F extends { kind: 'uint'; nullable: true }
        ? `Nullable(${UIntType<F>})`
        : F extends { kind: 'uint' }
          ? UIntType<F>
          : F extends { nullable: true }
            ? 'Nullable(String)'
            : 'String';
type ObservationColumn = {
  [K in keyof typeof observationSchema & string]: Column<K, ColumnTypeOfField<(typeof observationSchema)[K]>>;
}[keyof typeof observationSchema & string];

const CH_TYPES: Record<string, ColumnType> = { 8: 'UInt8', 16: 'UInt16', 32: 'UInt32', 53: 'UInt64' };

/** Columns for every Observation field, from the one Observation definition (lists as JSON arrays). */
function observationColumns(): ObservationColumn[] {
  return Object.entries(observationSchema).map(([name, f]: [string, Field]) => {
    let type: string;
    if (f.kind === 'uint') type = CH_TYPES[f.bits];
    else if (f.kind === 'const') type = 'UInt8';
    else if (f.kind === 'ipList') type = 'Array(String)';
    else if (f.kind === 'uint8List') type = 'Array(UInt8)';
    else type = 'String';
    if ('nullable' in f && f.nullable) type = `Nullable(${type})`;
    return { name, type, doc: f.doc } as ObservationColumn;
  });
}

/** The key columns of anything about one endpoint: address (text and 16 bytes), protocol, port. */
const endpointColumns = () =>
  [
    col('ip', 'String', 'server address, canonical text'),
    ipNumColumn,
    col('proto', 'String', 'tcp'),
    col('port', 'UInt16', 'server port'),
  ] as const;

export const OBSERVATIONS = {
  name: 'observations',
  doc: "every Observation as received (each sensor's own); duplicates (redelivery, resends) collapse on the order key",
  columns: [
    col('day', 'Date', 'UTC day of window_start (partition)'),
    ...observationColumns(),
    ipNumColumn,
    col('client_outside', 'UInt8', '1 when sample_client is outside the home networks'),
    col('ingested_at', 'DateTime', 'when the analyzer stored it'),
    col('kafka_partition', 'UInt16', 'the observations topic partition it came from'),
    col('kafka_offset', 'UInt64', 'its offset there (0 for rows stored before this column existed)'),
    col(
      'dup_handshakes',
      'UInt32',
      'of its handshakes, those already counted for this endpoint and window from another sensor (0 before this column existed)',
    ),
    col('dup_window', 'UInt8', '1 when this endpoint and window were already counted from another sensor (0 before)'),
  ],
  engine: 'ReplacingMergeTree()',
  partitionBy: 'day',
  orderBy: ['ip', 'proto', 'port', 'sensor', 'window_start'],
} as const satisfies Table;

export const ENDPOINT_STATES = {
  name: 'endpoint_states',
  doc: 'state of each tracked endpoint; the row with the highest version wins',
  columns: [
    ...endpointColumns(),
    // `verifying` is never stored: the inventory derives it from a pending verification
    col('state', 'String', 'new | active | stale | reopened'),
    col('since', 'UInt64', 'ms since the epoch the state was entered'),
    col('first_seen', 'UInt64', 'ms'),
    col('last_seen', 'UInt64', 'ms'),
    col('reason', 'String', 'why: learning, expected, alerted, syn_proxy, not_seen…'),
    col('version', 'UInt64', 'monotonic per endpoint (ms of the change)'),
  ],
  engine: 'ReplacingMergeTree(version)',
  orderBy: ['ip', 'proto', 'port'],
} as const satisfies Table;

export const ALERTS = {
  name: 'alerts',
  doc: 'one row per alert; alert_id is deterministic so a redelivered batch cannot add a second',
  columns: [
    col('day', 'Date', 'UTC day (partition)'),
    col('alert_id', 'String', 'kind|ip|proto|port[|epoch]'),
    col('ts', 'UInt64', 'ms'),
    col('kind', 'String', 'new_service | reopened_service | syn_proxy_host | service_changed | dormant_exposure'),
    col('severity', 'String', 'low | medium | high'),
    col('ip', 'String', 'server address'),
    col('proto', 'String', 'tcp'),
    col('port', 'UInt16', '0 for host-level alerts'),
    col('message', 'String', 'one line for humans'),
    col('details', 'String', 'JSON'),
    col(
      'stored_at',
      'UInt64',
      'ms: when it was last written (the outbox reads alerts in this order; 0 before it existed)',
    ),
    col('net', 'String', 'the network digests group it under: its /24 or /64 (empty before it existed)'),
    col('owner', 'String', 'the team owning the address (owners.rules); empty: none'),
  ],
  engine: 'ReplacingMergeTree()',
  partitionBy: 'day',
  orderBy: ['alert_id'],
} as const satisfies Table;

export const ALERT_DELIVERIES = {
  name: 'alert_deliveries',
  doc: 'which sink took which alert (the outbox: undelivered alerts are retried)',
  columns: [
    col('alert_id', 'String', 'alerts.alert_id'),
    col('sink', 'String', 'kafka | webhook:<url> | slack:<url> | team:<team>:webhook:<url> | syslog:<target>'),
    col('delivered_at', 'UInt64', 'ms'),
    col('via', 'String', 'the digest that carried it to the sink, or empty when sent on its own'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['alert_id', 'sink'],
} as const satisfies Table;

export const ALERT_DIGESTS = {
  name: 'alert_digests',
  doc: 'alerts grouped into one message for a sink under storm control; stored before it is sent',
  columns: [
    col('day', 'Date', 'UTC day (partition)'),
    col('digest_id', 'String', 'digest|hash of the sink and its alert ids'),
    col('sink', 'String', 'the sink it is for'),
    col('ts', 'UInt64', 'ms: when it was made'),
    col('scope', 'String', 'network (CIDR) or host it covers'),
    col('severity', 'String', 'the highest of its alerts'),
    col('alert_count', 'UInt32', 'alerts in it'),
    col('alert_ids', 'String', 'JSON array of its alert ids'),
    col('message', 'String', 'one line for humans'),
  ],
  engine: 'ReplacingMergeTree()',
  partitionBy: 'day',
  orderBy: ['sink', 'digest_id'],
} as const satisfies Table;

export const VERIFICATIONS = {
  name: 'verifications',
  doc: 'every active verification of an endpoint (nmap -sV), newest last; status pending until done',
  columns: [
    col('day', 'Date', 'UTC day (partition)'),
    ...endpointColumns(),
    col('ts', 'UInt64', 'ms: when requested (pending) or finished'),
    col('status', 'String', 'pending | verified_open | filtered_to_scanner | closed_now | unverifiable | refused'),
    col('nmap_state', 'String', "nmap's port state"),
    col('reason', 'String', "nmap's reason, or why it was refused / unverifiable"),
    col('service', 'String', 'service name'),
    col('product', 'String', 'product'),
    col('version', 'String', 'version'),
    col('extrainfo', 'String', 'extra info'),
    col('cpe', 'String', 'CPEs, space-separated'),
    col('duration_ms', 'UInt32', 'nmap run time'),
    col('attempt', 'UInt8', '1, or 2 for the slow-host retry'),
    col('request', 'String', 'the id of the `porthole verify` request this row takes or refuses (empty otherwise)'),
  ],
  engine: 'ReplacingMergeTree()',
  partitionBy: 'day',
  orderBy: ['ip', 'proto', 'port', 'ts', 'status'],
} as const satisfies Table;

export const EXPOSURE_EVENTS = {
  name: 'exposure_events',
  doc: 'when each tracked endpoint started and stopped being exposed; an interval is an open and the next close',
  columns: [
    ...endpointColumns(),
    col('ts', 'UInt64', 'ms: first SYN+ACK of the exposure (open) or when it ended (close)'),
    col('event', 'String', 'open | close'),
    col('reason', 'String', 'open: new, seen_again, migrated; close: stale, closed_now'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['ip', 'proto', 'port', 'ts', 'event'],
} as const satisfies Table;

export const META = {
  name: 'meta',
  doc: 'analyzer facts that outlive a process (first start, for the learning period)',
  columns: [col('key', 'String', 'name'), col('value', 'String', 'value'), col('version', 'UInt64', 'ms')],
  engine: 'ReplacingMergeTree(version)',
  orderBy: ['key'],
} as const satisfies Table;

export const ALERT_EVENTS = {
  name: 'alert_events',
  doc: "each change of an alert's lifecycle (acknowledged, resolved); an alert without one is open",
  columns: [
    col('alert_id', 'String', 'alerts.alert_id'),
    col('event_id', 'String', 'state|ts|actor: a retried insert collapses onto the same row'),
    col('ts', 'UInt64', 'ms: when the change was made; the latest event is the current state'),
    col('state', 'String', 'acknowledged | resolved'),
    col('actor', 'String', 'who made the change (porthole when automatic)'),
    col('note', 'String', 'why'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['alert_id', 'event_id'],
} as const satisfies Table;

export const ALERT_ASSIGNMENTS = {
  name: 'alert_assignments',
  doc: 'who an alert is assigned to (triage); the latest row is current, none: the owning team',
  columns: [
    col('alert_id', 'String', 'alerts.alert_id'),
    col('ts', 'UInt64', 'ms of the change'),
    col('assignee', 'String', 'a team or a person'),
    col('actor', 'String', 'who assigned it'),
    col('note', 'String', 'why'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['alert_id', 'ts'],
} as const satisfies Table;

export const EXPECTED_RULES = {
  name: 'expected_rules',
  doc: 'expected services (CIDR:port, no alert) added with porthole expect; every version kept, the highest is current',
  columns: [
    col('rule_id', 'String', 'the canonical rule, network:port'),
    col('net', 'String', 'network, canonical CIDR'),
    col('port', 'UInt16', 'port'),
    col('active', 'UInt8', '1 while the rule is in force, 0 once removed'),
    col('version', 'UInt64', 'ms of the change'),
    col('actor', 'String', 'who made the change'),
    col('note', 'String', 'why'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['rule_id', 'version'],
} as const satisfies Table;

export const EXPECTED_AUDIT = {
  name: 'expected_audit',
  doc: 'every change to the expected-service rules: who, when, what, why',
  columns: [
    col('ts', 'UInt64', 'ms'),
    col('actor', 'String', 'who'),
    col('action', 'String', 'add | remove'),
    col('rule_id', 'String', 'expected_rules.rule_id'),
    col('note', 'String', 'why'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['ts', 'rule_id', 'action'],
} as const satisfies Table;

export const USERS = {
  name: 'users',
  doc: 'console accounts; every change a new version, the highest is current',
  columns: [
    col('name', 'String', 'login name'),
    col('role', 'String', 'viewer | analyst | admin'),
    col('password_hash', 'String', 'argon2id PHC string; empty for single sign-on accounts'),
    col('source', 'String', 'local | oidc'),
    col('disabled', 'UInt8', '1: cannot log in, its sessions and tokens refused'),
    col('version', 'UInt64', 'ms of the change'),
  ],
  engine: 'ReplacingMergeTree(version)',
  orderBy: ['name'],
} as const satisfies Table;

export const API_TOKENS = {
  name: 'api_tokens',
  doc: 'API tokens (Authorization: Bearer); only a hash of the secret is stored',
  columns: [
    col('token_id', 'String', 'public id, the part of the token before the dot'),
    col('secret_hash', 'String', 'SHA-256 (hex) of the secret part'),
    col('user', 'String', 'the account that created it'),
    col('label', 'String', 'what it is for'),
    col('role', 'String', 'viewer | analyst | admin (at most the creator’s)'),
    col('created_at', 'UInt64', 'ms'),
    col('expires_at', 'UInt64', 'ms; 0: never'),
    col('revoked_at', 'UInt64', 'ms; 0: not revoked'),
    col('version', 'UInt64', 'ms of the change'),
  ],
  engine: 'ReplacingMergeTree(version)',
  orderBy: ['token_id'],
} as const satisfies Table;

export const AUDIT_LOG = {
  name: 'audit_log',
  doc: 'every change made through the console or its API, and every login: who, when, what',
  columns: [
    col('ts', 'UInt64', 'ms'),
    col('actor', 'String', 'account name (token:<id> for a token)'),
    col('action', 'String', 'e.g. login, login_failed, alert.acknowledge, user.add, token.revoke'),
    col('target', 'String', 'what it changed (alert id, user name, token id, rule)'),
    col('detail', 'String', 'JSON: the request body, never a secret'),
    col('remote', 'String', 'client address'),
    col('event_id', 'String', 'random: a retried insert collapses onto the same row'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['ts', 'event_id'],
} as const satisfies Table;

export const SENSOR_STATUS = {
  name: 'sensor_status',
  doc: "the sensors' health messages (status topic), one row each",
  columns: [
    col('day', 'Date', 'UTC day (partition)'),
    col('sensor', 'String', 'sensor id'),
    col('ts', 'UInt64', 'ms'),
    col('source', 'String', 'iface:… or pcap:…'),
    col('packets', 'UInt64', 'cumulative'),
    col('decoded', 'UInt64', 'cumulative'),
    col('failures', 'UInt64', 'cumulative decode failures (all reasons)'),
    col('handshakes', 'UInt64', 'cumulative'),
    col('kernel_drops', 'UInt64', 'cumulative (0 when unknown)'),
    col('dropped_before_kafka', 'UInt64', 'cumulative'),
    col('last_packet_ms', 'UInt64', '0: none yet'),
    col('capture_state', 'String', 'capturing | waiting | lost'),
    col('message', 'String', 'the whole message, JSON'),
  ],
  engine: 'ReplacingMergeTree()',
  partitionBy: 'day',
  orderBy: ['sensor', 'ts'],
} as const satisfies Table;

export const SWEEPS = {
  name: 'sweeps',
  doc: 'each scheduled sweep of verify.allowedNetworks as planned (porthole sweeper); one row per sweep after merges',
  columns: [
    col('sweep_id', 'String', 'the start of its period slot, ISO time: every sweeper names it the same'),
    col('started_at', 'UInt64', 'ms: when it was planned'),
    col('period_ms', 'UInt64', 'sweep.period when planned'),
    col('addresses', 'UInt32', 'addresses to sweep'),
    col('blocks_total', 'UInt32', 'work items (address blocks) published'),
    col('slow_blocks', 'UInt32', 'of them, blocks of hosts slow in earlier runs (the longer host timeout)'),
    col('ports', 'String', 'sweep.ports when planned'),
    col('planner', 'String', 'the sweeper that planned it'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['sweep_id'],
} as const satisfies Table;

export const SWEEP_BLOCKS = {
  name: 'sweep_blocks',
  doc: 'each block of a sweep once its results are stored; a block done twice collapses onto one row (sweep_id, block)',
  columns: [
    col('sweep_id', 'String', 'sweeps.sweep_id'),
    col('block', 'UInt32', 'block number within the sweep'),
    col('grp', 'String', 'fast | slow'),
    col('targets', 'Array(String)', 'the addresses it swept'),
    col('hosts_up', 'UInt32', 'hosts that answered'),
    col('hosts_timed_out', 'UInt32', 'hosts cut by --host-timeout'),
    col('ports_open', 'UInt32', 'open ports found'),
    col('sweeper', 'String', 'the sweeper that did it'),
    col('started_at', 'UInt64', 'ms'),
    col('done_at', 'UInt64', 'ms'),
    col('error', 'String', 'why nmap gave no result (empty when it did)'),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['sweep_id', 'block'],
} as const satisfies Table;

export const SWEEP_HOSTS = {
  name: 'sweep_hosts',
  doc: 'each host a sweep found up, and how it answered: slow or timed-out hosts are swept apart next time',
  columns: [
    col('sweep_id', 'String', 'sweeps.sweep_id'),
    col('block', 'UInt32', 'its block'),
    col('ip', 'String', 'host address, canonical text'),
    ipNumColumn,
    col('ts', 'UInt64', 'ms: when its block ended'),
    col('state', 'String', 'up | timeout'),
    col('rtt_us', 'UInt32', "nmap's smoothed round-trip time, microseconds (0: unknown)"),
  ],
  engine: 'ReplacingMergeTree()',
  orderBy: ['ip', 'sweep_id'],
} as const satisfies Table;

export const SWEEP_RESULTS = {
  name: 'sweep_results',
  doc: 'each open port a sweep found; idempotent by (sweep_id, block): a block done twice adds nothing',
  columns: [
    col('day', 'Date', 'UTC day (partition)'),
    ...endpointColumns(),
    col('sweep_id', 'String', 'sweeps.sweep_id'),
    col('block', 'UInt32', 'its block'),
    col('ts', 'UInt64', 'ms: when its block ended'),
    // not `state`: the inventory's view over this table has a measure of that name
    col('nmap_state', 'String', "nmap's port state (open)"),
    col('service', 'String', "nmap's service name for the port (from its table, not probed)"),
    col('reason', 'String', "nmap's reason"),
  ],
  engine: 'ReplacingMergeTree()',
  partitionBy: 'day',
  orderBy: ['ip', 'proto', 'port', 'sweep_id', 'block'],
} as const satisfies Table;

/** Every table, in creation order. */
export const TABLES = [
  OBSERVATIONS,
  ENDPOINT_STATES,
  ALERTS,
  ALERT_DELIVERIES,
  ALERT_DIGESTS,
  VERIFICATIONS,
  EXPOSURE_EVENTS,
  META,
  ALERT_EVENTS,
  EXPECTED_RULES,
  EXPECTED_AUDIT,
  ALERT_ASSIGNMENTS,
  USERS,
  API_TOKENS,
  AUDIT_LOG,
  SENSOR_STATUS,
  SWEEPS,
  SWEEP_BLOCKS,
  SWEEP_HOSTS,
  SWEEP_RESULTS,
] as const;

export type TableName = (typeof TABLES)[number]['name'];
/** The row type of a table by name: `RowOfTable<'alerts'>`. */
export type RowOfTable<N extends TableName> = RowOf<Extract<(typeof TABLES)[number], { name: N }>>;

export type ObservationRow = RowOf<typeof OBSERVATIONS>;
export type StateRow = RowOf<typeof ENDPOINT_STATES>;
export type AlertRow = RowOf<typeof ALERTS>;
export type VerificationRow = RowOf<typeof VERIFICATIONS>;
export type ExposureEventRow = RowOf<typeof EXPOSURE_EVENTS>;
export type AlertEventRow = RowOf<typeof ALERT_EVENTS>;
export type ExpectedRuleRow = RowOf<typeof EXPECTED_RULES>;
export type ExpectedAuditRow = RowOf<typeof EXPECTED_AUDIT>;
export type SweepRow = RowOf<typeof SWEEPS>;
export type SweepBlockRow = RowOf<typeof SWEEP_BLOCKS>;
export type SweepHostRow = RowOf<typeof SWEEP_HOSTS>;
export type SweepResultRow = RowOf<typeof SWEEP_RESULTS>;
