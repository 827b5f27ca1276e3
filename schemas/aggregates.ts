// Aggregate tables, defined once: key columns, measures (each an aggregate function over
// argument types), and the sources that feed them. ClickHouse keeps each one current by itself:
// schemas/ddl.ts makes an AggregatingMergeTree table and one materialized view per source, so
// an insert into a source table also updates the aggregates in the same statement. A view
// writes an empty state (the `-If` combinator over a false condition) for the measures its
// source does not feed, which both 18.16 and current ClickHouse accept. Readers merge states with
// `<fn>Merge`, grouping by the key.
// Limit: a source row inserted twice is counted twice in `sum` measures (min, max, argMax,
// groupUniqArray and the sketches are not affected); the analyzer does not insert an
// Observation twice (analyzer/store/ingest-offsets.ts), and counts several sensors' Observations
// of one endpoint's window once (analyzer/window-counts.ts).

export type ArgType = 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64' | 'Int32' | 'String' | 'Array(UInt8)' | 'Array(String)';
/** Key column types of aggregate tables. */
export type KeyType = 'String' | 'FixedString(16)' | 'UInt16' | 'UInt64' | 'Date';

export interface Measure {
  name: string;
  /** aggregate function, with its parameters: `sum`, `argMax`, `topKArray(10)` */
  fn: string;
  args: readonly ArgType[];
  doc: string;
}

export interface AggSource {
  /** the source table */
  table: string;
  /** view name suffix: `<table>_from_<as>` */
  as: string;
  /** an expression over the source row for each key column */
  keys: Record<string, string>;
  /** the argument expressions of the measures this source feeds (others get an empty state) */
  feeds: Record<string, readonly string[]>;
  where?: string;
}

export interface AggTable {
  name: string;
  doc: string;
  keys: ReadonlyArray<{ name: string; type: KeyType; doc: string }>;
  measures: readonly Measure[];
  partitionBy?: string;
  sources: readonly AggSource[];
}

const m = (name: string, fn: string, args: readonly ArgType[], doc: string): Measure => ({ name, fn, args, doc });

const endpointKeys = [
  { name: 'ip_num', type: 'FixedString(16)', doc: 'server address as 16 bytes (IPv4 as ::ffff:a.b.c.d)' },
  { name: 'proto', type: 'String', doc: 'tcp' },
  { name: 'port', type: 'UInt16', doc: 'server port' },
  { name: 'ip', type: 'String', doc: 'server address, canonical text (a function of ip_num)' },
] as const;
const endpointKeyExprs = { ip_num: 'ip_num', proto: 'proto', port: 'port', ip: 'ip' };

/** What every window of an endpoint adds up to (inventory and rollups share these). */
const windowMeasures = [
  m('first_seen', 'min', ['UInt64'], 'ms: first SYN+ACK'),
  m('last_seen', 'max', ['UInt64'], 'ms: last SYN+ACK'),
  m('handshakes', 'sum', ['UInt64'], 'connections accepted (per window, the highest count of any sensor)'),
  m('windows', 'sum', ['UInt64'], 'windows in which it was seen (once however many sensors saw it)'),
  m('clients_max', 'max', ['UInt32'], 'the largest distinct-client count of one window'),
  m('internal_max', 'max', ['UInt32'], 'the largest internal-client count of one window'),
  m('internet_max', 'max', ['UInt32'], 'the largest internet-client count of one window'),
  m('hll_internal', 'maxForEach', ['Array(UInt8)'], 'internal clients: the merged HyperLogLog sketch'),
  m('hll_internet', 'maxForEach', ['Array(UInt8)'], 'internet clients: the merged HyperLogLog sketch'),
] as const;
// rows stored by a release before the zone counts (both 0) count their clients in the zone of
// their sample client
const OLD_ROW = 'clients_internal + clients_internet = 0';
// several sensors' Observations of one window count once: each row carries what of it another
// sensor's row already counted (analyzer/window-counts.ts), 0 in rows stored before that
const windowFeeds = {
  first_seen: ['first_seen'],
  last_seen: ['last_seen'],
  handshakes: ['toUInt64(if(dup_handshakes < handshakes, handshakes - dup_handshakes, 0))'],
  windows: ['toUInt64(1 - dup_window)'],
  clients_max: ['clients'],
  internal_max: [`if(${OLD_ROW}, if(client_outside = 1, toUInt32(0), clients), clients_internal)`],
  internet_max: [`if(${OLD_ROW}, if(client_outside = 1, clients, toUInt32(0)), clients_internet)`],
  hll_internal: ['hll_internal'],
  hll_internet: ['hll_internet'],
};

// fingerprint hints: the newest window's value, -1 for none (argMax over a Nullable argument
// has a different state type on 18.16 than on current versions)
const hint = (col: string): readonly string[] => [`ifNull(toInt32(${col}), -1)`, 'window_start'];

export const INVENTORY = {
  name: 'inventory',
  doc: 'one row per endpoint (after merges): what its windows add up to, its state, latest verification and exposure',
  keys: endpointKeys,
  measures: [
    ...windowMeasures,
    m('recent_clients', 'argMax', ['Array(String)', 'UInt64'], "the newest window's sample of clients"),
    m('sensors', 'groupUniqArray', ['String'], 'sensors that saw it'),
    m('vlans', 'groupUniqArray', ['UInt16'], 'VLAN ids (0: untagged)'),
    m('full_handshake', 'max', ['UInt8'], '1 when a whole handshake was seen (else only SYN+ACKs)'),
    m('ttl', 'argMax', ['Int32', 'UInt64'], 'newest SYN+ACK TTL, -1 none'),
    m('tcp_window', 'argMax', ['Int32', 'UInt64'], 'newest SYN+ACK window, -1 none'),
    m('mss', 'argMax', ['Int32', 'UInt64'], 'newest SYN+ACK MSS, -1 none'),
    m('state', 'argMax', ['String', 'UInt64'], 'stored state (endpoint_states, newest version)'),
    m('state_since', 'argMax', ['UInt64', 'UInt64'], 'ms: when the state was entered'),
    m('state_reason', 'argMax', ['String', 'UInt64'], 'why'),
    m('v_ts', 'max', ['UInt64'], 'ms: newest verification'),
    m('v_status', 'argMax', ['String', 'UInt64'], 'newest verification status'),
    m('v_service', 'argMax', ['String', 'UInt64'], 'nmap service'),
    m('v_product', 'argMax', ['String', 'UInt64'], 'nmap product'),
    m('v_version', 'argMax', ['String', 'UInt64'], 'nmap version'),
    m('v_extrainfo', 'argMax', ['String', 'UInt64'], 'nmap extra info'),
    m('v_cpe', 'argMax', ['String', 'UInt64'], 'nmap CPEs'),
    m('v_reason', 'argMax', ['String', 'UInt64'], "nmap's reason"),
    m('opened_at', 'max', ['UInt64'], 'ms: start of the newest exposure interval (0 none)'),
    m('closed_at', 'max', ['UInt64'], 'ms: end of the newest closed interval (0 none)'),
    m('a_first_seen', 'min', ['UInt64'], 'ms: first sweep that found it open (0 none)'),
    m('a_last_seen', 'max', ['UInt64'], 'ms: newest sweep that found it open (0 none)'),
    m('a_sweep', 'argMax', ['String', 'UInt64'], 'the newest sweep that found it open'),
  ],
  sources: [
    {
      table: 'observations',
      as: 'observations',
      keys: endpointKeyExprs,
      feeds: {
        ...windowFeeds,
        recent_clients: ['if(empty(sample_clients), [sample_client], sample_clients)', 'window_start'],
        sensors: ['sensor'],
        vlans: ['ifNull(vlan, toUInt16(0))'],
        full_handshake: ["toUInt8(evidence = 'handshake')"],
        ttl: hint('ttl'),
        tcp_window: hint('tcp_window'),
        mss: hint('mss'),
      },
    },
    {
      table: 'endpoint_states',
      as: 'states',
      keys: endpointKeyExprs,
      feeds: { state: ['state', 'version'], state_since: ['since', 'version'], state_reason: ['reason', 'version'] },
    },
    {
      table: 'verifications',
      as: 'verifications',
      keys: endpointKeyExprs,
      feeds: {
        v_ts: ['ts'],
        v_status: ['status', 'ts'],
        v_service: ['service', 'ts'],
        v_product: ['product', 'ts'],
        v_version: ['version', 'ts'],
        v_extrainfo: ['extrainfo', 'ts'],
        v_cpe: ['cpe', 'ts'],
        v_reason: ['reason', 'ts'],
      },
    },
    {
      table: 'exposure_events',
      as: 'exposures',
      keys: endpointKeyExprs,
      feeds: {
        opened_at: ["if(event = 'open', ts, toUInt64(0))"],
        closed_at: ["if(event = 'close', ts, toUInt64(0))"],
      },
    },
    {
      // the active method (porthole sweeper): min, max and argMax only, so a block stored twice
      // changes nothing
      table: 'sweep_results',
      as: 'sweeps',
      keys: endpointKeyExprs,
      feeds: { a_first_seen: ['ts'], a_last_seen: ['ts'], a_sweep: ['sweep_id', 'ts'] },
      where: "nmap_state = 'open'",
    },
  ],
} as const satisfies AggTable;

const rollup = (name: string, bucket: string, bucketDoc: string, partitionBy: string, doc: string) =>
  ({
    name,
    doc,
    keys: [
      ...endpointKeys,
      { name: 'bucket', type: 'UInt64', doc: bucketDoc },
      { name: 'day', type: 'Date', doc: 'UTC day' },
    ],
    measures: windowMeasures,
    partitionBy,
    sources: [
      {
        table: 'observations',
        as: 'observations',
        keys: { ...endpointKeyExprs, bucket, day: 'day' },
        feeds: windowFeeds,
      },
    ],
  }) as const satisfies AggTable;

export const ROLLUP_HOURLY = rollup(
  'rollup_hourly',
  'intDiv(window_start, 3600000) * 3600000',
  'ms: start of the UTC hour',
  'day',
  'per endpoint per hour: charts and recent history (kept retention.hourlyDays)',
);
export const ROLLUP_DAILY = rollup(
  'rollup_daily',
  'intDiv(window_start, 86400000) * 86400000',
  'ms: start of the UTC day',
  'toYYYYMM(day)',
  'per endpoint per day: long history (kept retention.dailyDays)',
);

export const INGEST_OFFSETS = {
  name: 'ingest_offsets',
  doc: 'the highest Kafka offset stored per observations partition (so a redelivered message is not stored twice)',
  keys: [{ name: 'kafka_partition', type: 'UInt16', doc: 'partition of the observations topic' }],
  measures: [m('kafka_offset', 'max', ['UInt64'], 'highest offset stored')],
  sources: [
    {
      table: 'observations',
      as: 'observations',
      keys: { kafka_partition: 'kafka_partition' },
      feeds: { kafka_offset: ['kafka_offset'] },
    },
  ],
} as const satisfies AggTable;

/** Every aggregate table, created after the tables they read. */
export const AGG_TABLES: readonly AggTable[] = [INVENTORY, ROLLUP_HOURLY, ROLLUP_DAILY, INGEST_OFFSETS];

export type AggTableName = 'inventory' | 'rollup_hourly' | 'rollup_daily' | 'ingest_offsets';
