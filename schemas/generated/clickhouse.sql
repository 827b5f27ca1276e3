-- Generated from schemas/ by `porthole schema`. Do not edit: a test fails when it drifts.
CREATE DATABASE IF NOT EXISTS porthole;

CREATE TABLE IF NOT EXISTS porthole.observations
(
    day Date,
    v UInt8,
    sensor String,
    ip String,
    port UInt16,
    proto String,
    window_start UInt64,
    first_seen UInt64,
    last_seen UInt64,
    handshakes UInt32,
    clients UInt32,
    sample_client String,
    evidence String,
    vlan Nullable(UInt16),
    ttl Nullable(UInt8),
    tcp_window Nullable(UInt16),
    mss Nullable(UInt16),
    clients_internal UInt32,
    clients_internet UInt32,
    sample_clients Array(String),
    hll_internal Array(UInt8),
    hll_internet Array(UInt8),
    loss_checked Nullable(UInt32),
    loss_missed Nullable(UInt32),
    sampling_rate Nullable(UInt32),
    ip_num FixedString(16) MATERIALIZED IPv6StringToNum(concat(if(position(ip, ':') > 0, '', '::ffff:'), ip)),
    client_outside UInt8,
    ingested_at DateTime,
    kafka_partition UInt16,
    kafka_offset UInt64,
    dup_handshakes UInt32,
    dup_window UInt8
)
ENGINE = ReplacingMergeTree()
PARTITION BY day
ORDER BY (ip, proto, port, sensor, window_start);

CREATE TABLE IF NOT EXISTS porthole.endpoint_states
(
    ip String,
    ip_num FixedString(16) MATERIALIZED IPv6StringToNum(concat(if(position(ip, ':') > 0, '', '::ffff:'), ip)),
    proto String,
    port UInt16,
    state String,
    since UInt64,
    first_seen UInt64,
    last_seen UInt64,
    reason String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (ip, proto, port);

CREATE TABLE IF NOT EXISTS porthole.alerts
(
    day Date,
    alert_id String,
    ts UInt64,
    kind String,
    severity String,
    ip String,
    proto String,
    port UInt16,
    message String,
    details String,
    stored_at UInt64,
    net String,
    owner String
)
ENGINE = ReplacingMergeTree()
PARTITION BY day
ORDER BY (alert_id);

CREATE TABLE IF NOT EXISTS porthole.alert_deliveries
(
    alert_id String,
    sink String,
    delivered_at UInt64,
    via String
)
ENGINE = ReplacingMergeTree()
ORDER BY (alert_id, sink);

CREATE TABLE IF NOT EXISTS porthole.alert_digests
(
    day Date,
    digest_id String,
    sink String,
    ts UInt64,
    scope String,
    severity String,
    alert_count UInt32,
    alert_ids String,
    message String
)
ENGINE = ReplacingMergeTree()
PARTITION BY day
ORDER BY (sink, digest_id);

CREATE TABLE IF NOT EXISTS porthole.verifications
(
    day Date,
    ip String,
    ip_num FixedString(16) MATERIALIZED IPv6StringToNum(concat(if(position(ip, ':') > 0, '', '::ffff:'), ip)),
    proto String,
    port UInt16,
    ts UInt64,
    status String,
    nmap_state String,
    reason String,
    service String,
    product String,
    version String,
    extrainfo String,
    cpe String,
    duration_ms UInt32,
    attempt UInt8,
    request String
)
ENGINE = ReplacingMergeTree()
PARTITION BY day
ORDER BY (ip, proto, port, ts, status);

CREATE TABLE IF NOT EXISTS porthole.exposure_events
(
    ip String,
    ip_num FixedString(16) MATERIALIZED IPv6StringToNum(concat(if(position(ip, ':') > 0, '', '::ffff:'), ip)),
    proto String,
    port UInt16,
    ts UInt64,
    event String,
    reason String
)
ENGINE = ReplacingMergeTree()
ORDER BY (ip, proto, port, ts, event);

CREATE TABLE IF NOT EXISTS porthole.meta
(
    key String,
    value String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (key);

CREATE TABLE IF NOT EXISTS porthole.alert_events
(
    alert_id String,
    event_id String,
    ts UInt64,
    state String,
    actor String,
    note String
)
ENGINE = ReplacingMergeTree()
ORDER BY (alert_id, event_id);

CREATE TABLE IF NOT EXISTS porthole.expected_rules
(
    rule_id String,
    net String,
    port UInt16,
    active UInt8,
    version UInt64,
    actor String,
    note String
)
ENGINE = ReplacingMergeTree()
ORDER BY (rule_id, version);

CREATE TABLE IF NOT EXISTS porthole.expected_audit
(
    ts UInt64,
    actor String,
    action String,
    rule_id String,
    note String
)
ENGINE = ReplacingMergeTree()
ORDER BY (ts, rule_id, action);

CREATE TABLE IF NOT EXISTS porthole.alert_assignments
(
    alert_id String,
    ts UInt64,
    assignee String,
    actor String,
    note String
)
ENGINE = ReplacingMergeTree()
ORDER BY (alert_id, ts);

CREATE TABLE IF NOT EXISTS porthole.users
(
    name String,
    role String,
    password_hash String,
    source String,
    disabled UInt8,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (name);

CREATE TABLE IF NOT EXISTS porthole.api_tokens
(
    token_id String,
    secret_hash String,
    user String,
    label String,
    role String,
    created_at UInt64,
    expires_at UInt64,
    revoked_at UInt64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (token_id);

CREATE TABLE IF NOT EXISTS porthole.audit_log
(
    ts UInt64,
    actor String,
    action String,
    target String,
    detail String,
    remote String,
    event_id String
)
ENGINE = ReplacingMergeTree()
ORDER BY (ts, event_id);

CREATE TABLE IF NOT EXISTS porthole.sensor_status
(
    day Date,
    sensor String,
    ts UInt64,
    source String,
    packets UInt64,
    decoded UInt64,
    failures UInt64,
    handshakes UInt64,
    kernel_drops UInt64,
    dropped_before_kafka UInt64,
    last_packet_ms UInt64,
    capture_state String,
    message String
)
ENGINE = ReplacingMergeTree()
PARTITION BY day
ORDER BY (sensor, ts);

CREATE TABLE IF NOT EXISTS porthole.sweeps
(
    sweep_id String,
    started_at UInt64,
    period_ms UInt64,
    addresses UInt32,
    blocks_total UInt32,
    slow_blocks UInt32,
    ports String,
    planner String
)
ENGINE = ReplacingMergeTree()
ORDER BY (sweep_id);

CREATE TABLE IF NOT EXISTS porthole.sweep_blocks
(
    sweep_id String,
    block UInt32,
    grp String,
    targets Array(String),
    hosts_up UInt32,
    hosts_timed_out UInt32,
    ports_open UInt32,
    sweeper String,
    started_at UInt64,
    done_at UInt64,
    error String
)
ENGINE = ReplacingMergeTree()
ORDER BY (sweep_id, block);

CREATE TABLE IF NOT EXISTS porthole.sweep_hosts
(
    sweep_id String,
    block UInt32,
    ip String,
    ip_num FixedString(16) MATERIALIZED IPv6StringToNum(concat(if(position(ip, ':') > 0, '', '::ffff:'), ip)),
    ts UInt64,
    state String,
    rtt_us UInt32
)
ENGINE = ReplacingMergeTree()
ORDER BY (ip, sweep_id);

CREATE TABLE IF NOT EXISTS porthole.sweep_results
(
    day Date,
    ip String,
    ip_num FixedString(16) MATERIALIZED IPv6StringToNum(concat(if(position(ip, ':') > 0, '', '::ffff:'), ip)),
    proto String,
    port UInt16,
    sweep_id String,
    block UInt32,
    ts UInt64,
    nmap_state String,
    service String,
    reason String
)
ENGINE = ReplacingMergeTree()
PARTITION BY day
ORDER BY (ip, proto, port, sweep_id, block);

CREATE TABLE IF NOT EXISTS porthole.inventory
(
    ip_num FixedString(16),
    proto String,
    port UInt16,
    ip String,
    first_seen AggregateFunction(min, UInt64),
    last_seen AggregateFunction(max, UInt64),
    handshakes AggregateFunction(sum, UInt64),
    windows AggregateFunction(sum, UInt64),
    clients_max AggregateFunction(max, UInt32),
    internal_max AggregateFunction(max, UInt32),
    internet_max AggregateFunction(max, UInt32),
    hll_internal AggregateFunction(maxForEach, Array(UInt8)),
    hll_internet AggregateFunction(maxForEach, Array(UInt8)),
    recent_clients AggregateFunction(argMax, Array(String), UInt64),
    sensors AggregateFunction(groupUniqArray, String),
    vlans AggregateFunction(groupUniqArray, UInt16),
    full_handshake AggregateFunction(max, UInt8),
    ttl AggregateFunction(argMax, Int32, UInt64),
    tcp_window AggregateFunction(argMax, Int32, UInt64),
    mss AggregateFunction(argMax, Int32, UInt64),
    state AggregateFunction(argMax, String, UInt64),
    state_since AggregateFunction(argMax, UInt64, UInt64),
    state_reason AggregateFunction(argMax, String, UInt64),
    v_ts AggregateFunction(max, UInt64),
    v_status AggregateFunction(argMax, String, UInt64),
    v_service AggregateFunction(argMax, String, UInt64),
    v_product AggregateFunction(argMax, String, UInt64),
    v_version AggregateFunction(argMax, String, UInt64),
    v_extrainfo AggregateFunction(argMax, String, UInt64),
    v_cpe AggregateFunction(argMax, String, UInt64),
    v_reason AggregateFunction(argMax, String, UInt64),
    opened_at AggregateFunction(max, UInt64),
    closed_at AggregateFunction(max, UInt64),
    a_first_seen AggregateFunction(min, UInt64),
    a_last_seen AggregateFunction(max, UInt64),
    a_sweep AggregateFunction(argMax, String, UInt64)
)
ENGINE = AggregatingMergeTree()
ORDER BY (ip_num, proto, port, ip);

CREATE TABLE IF NOT EXISTS porthole.rollup_hourly
(
    ip_num FixedString(16),
    proto String,
    port UInt16,
    ip String,
    bucket UInt64,
    day Date,
    first_seen AggregateFunction(min, UInt64),
    last_seen AggregateFunction(max, UInt64),
    handshakes AggregateFunction(sum, UInt64),
    windows AggregateFunction(sum, UInt64),
    clients_max AggregateFunction(max, UInt32),
    internal_max AggregateFunction(max, UInt32),
    internet_max AggregateFunction(max, UInt32),
    hll_internal AggregateFunction(maxForEach, Array(UInt8)),
    hll_internet AggregateFunction(maxForEach, Array(UInt8))
)
ENGINE = AggregatingMergeTree()
PARTITION BY day
ORDER BY (ip_num, proto, port, ip, bucket, day);

CREATE TABLE IF NOT EXISTS porthole.rollup_daily
(
    ip_num FixedString(16),
    proto String,
    port UInt16,
    ip String,
    bucket UInt64,
    day Date,
    first_seen AggregateFunction(min, UInt64),
    last_seen AggregateFunction(max, UInt64),
    handshakes AggregateFunction(sum, UInt64),
    windows AggregateFunction(sum, UInt64),
    clients_max AggregateFunction(max, UInt32),
    internal_max AggregateFunction(max, UInt32),
    internet_max AggregateFunction(max, UInt32),
    hll_internal AggregateFunction(maxForEach, Array(UInt8)),
    hll_internet AggregateFunction(maxForEach, Array(UInt8))
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (ip_num, proto, port, ip, bucket, day);

CREATE TABLE IF NOT EXISTS porthole.ingest_offsets
(
    kafka_partition UInt16,
    kafka_offset AggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree()
ORDER BY (kafka_partition);

CREATE MATERIALIZED VIEW IF NOT EXISTS porthole.inventory_from_observations TO porthole.inventory AS
SELECT ip_num,
       proto,
       port,
       ip,
       minState(first_seen) AS first_seen,
       maxState(last_seen) AS last_seen,
       sumState(toUInt64(if(dup_handshakes < handshakes, handshakes - dup_handshakes, 0))) AS handshakes,
       sumState(toUInt64(1 - dup_window)) AS windows,
       maxState(clients) AS clients_max,
       maxState(if(clients_internal + clients_internet = 0, if(client_outside = 1, toUInt32(0), clients), clients_internal)) AS internal_max,
       maxState(if(clients_internal + clients_internet = 0, if(client_outside = 1, clients, toUInt32(0)), clients_internet)) AS internet_max,
       maxForEachState(hll_internal) AS hll_internal,
       maxForEachState(hll_internet) AS hll_internet,
       argMaxState(if(empty(sample_clients), [sample_client], sample_clients), window_start) AS recent_clients,
       groupUniqArrayState(sensor) AS sensors,
       groupUniqArrayState(ifNull(vlan, toUInt16(0))) AS vlans,
       maxState(toUInt8(evidence = 'handshake')) AS full_handshake,
       argMaxState(ifNull(toInt32(ttl), -1), window_start) AS ttl,
       argMaxState(ifNull(toInt32(tcp_window), -1), window_start) AS tcp_window,
       argMaxState(ifNull(toInt32(mss), -1), window_start) AS mss,
       argMaxStateIf('', toUInt64(0), 0) AS state,
       argMaxStateIf(toUInt64(0), toUInt64(0), 0) AS state_since,
       argMaxStateIf('', toUInt64(0), 0) AS state_reason,
       maxStateIf(toUInt64(0), 0) AS v_ts,
       argMaxStateIf('', toUInt64(0), 0) AS v_status,
       argMaxStateIf('', toUInt64(0), 0) AS v_service,
       argMaxStateIf('', toUInt64(0), 0) AS v_product,
       argMaxStateIf('', toUInt64(0), 0) AS v_version,
       argMaxStateIf('', toUInt64(0), 0) AS v_extrainfo,
       argMaxStateIf('', toUInt64(0), 0) AS v_cpe,
       argMaxStateIf('', toUInt64(0), 0) AS v_reason,
       maxStateIf(toUInt64(0), 0) AS opened_at,
       maxStateIf(toUInt64(0), 0) AS closed_at,
       minStateIf(toUInt64(0), 0) AS a_first_seen,
       maxStateIf(toUInt64(0), 0) AS a_last_seen,
       argMaxStateIf('', toUInt64(0), 0) AS a_sweep
FROM porthole.observations
GROUP BY ip_num, proto, port, ip;

CREATE MATERIALIZED VIEW IF NOT EXISTS porthole.inventory_from_states TO porthole.inventory AS
SELECT ip_num,
       proto,
       port,
       ip,
       minStateIf(toUInt64(0), 0) AS first_seen,
       maxStateIf(toUInt64(0), 0) AS last_seen,
       sumStateIf(toUInt64(0), 0) AS handshakes,
       sumStateIf(toUInt64(0), 0) AS windows,
       maxStateIf(toUInt32(0), 0) AS clients_max,
       maxStateIf(toUInt32(0), 0) AS internal_max,
       maxStateIf(toUInt32(0), 0) AS internet_max,
       maxForEachStateIf(CAST([] AS Array(UInt8)), 0) AS hll_internal,
       maxForEachStateIf(CAST([] AS Array(UInt8)), 0) AS hll_internet,
       argMaxStateIf(CAST([] AS Array(String)), toUInt64(0), 0) AS recent_clients,
       groupUniqArrayStateIf('', 0) AS sensors,
       groupUniqArrayStateIf(toUInt16(0), 0) AS vlans,
       maxStateIf(toUInt8(0), 0) AS full_handshake,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS ttl,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS tcp_window,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS mss,
       argMaxState(state, version) AS state,
       argMaxState(since, version) AS state_since,
       argMaxState(reason, version) AS state_reason,
       maxStateIf(toUInt64(0), 0) AS v_ts,
       argMaxStateIf('', toUInt64(0), 0) AS v_status,
       argMaxStateIf('', toUInt64(0), 0) AS v_service,
       argMaxStateIf('', toUInt64(0), 0) AS v_product,
       argMaxStateIf('', toUInt64(0), 0) AS v_version,
       argMaxStateIf('', toUInt64(0), 0) AS v_extrainfo,
       argMaxStateIf('', toUInt64(0), 0) AS v_cpe,
       argMaxStateIf('', toUInt64(0), 0) AS v_reason,
       maxStateIf(toUInt64(0), 0) AS opened_at,
       maxStateIf(toUInt64(0), 0) AS closed_at,
       minStateIf(toUInt64(0), 0) AS a_first_seen,
       maxStateIf(toUInt64(0), 0) AS a_last_seen,
       argMaxStateIf('', toUInt64(0), 0) AS a_sweep
FROM porthole.endpoint_states
GROUP BY ip_num, proto, port, ip;

CREATE MATERIALIZED VIEW IF NOT EXISTS porthole.inventory_from_verifications TO porthole.inventory AS
SELECT ip_num,
       proto,
       port,
       ip,
       minStateIf(toUInt64(0), 0) AS first_seen,
       maxStateIf(toUInt64(0), 0) AS last_seen,
       sumStateIf(toUInt64(0), 0) AS handshakes,
       sumStateIf(toUInt64(0), 0) AS windows,
       maxStateIf(toUInt32(0), 0) AS clients_max,
       maxStateIf(toUInt32(0), 0) AS internal_max,
       maxStateIf(toUInt32(0), 0) AS internet_max,
       maxForEachStateIf(CAST([] AS Array(UInt8)), 0) AS hll_internal,
       maxForEachStateIf(CAST([] AS Array(UInt8)), 0) AS hll_internet,
       argMaxStateIf(CAST([] AS Array(String)), toUInt64(0), 0) AS recent_clients,
       groupUniqArrayStateIf('', 0) AS sensors,
       groupUniqArrayStateIf(toUInt16(0), 0) AS vlans,
       maxStateIf(toUInt8(0), 0) AS full_handshake,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS ttl,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS tcp_window,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS mss,
       argMaxStateIf('', toUInt64(0), 0) AS state,
       argMaxStateIf(toUInt64(0), toUInt64(0), 0) AS state_since,
       argMaxStateIf('', toUInt64(0), 0) AS state_reason,
       maxState(ts) AS v_ts,
       argMaxState(status, ts) AS v_status,
       argMaxState(service, ts) AS v_service,
       argMaxState(product, ts) AS v_product,
       argMaxState(version, ts) AS v_version,
       argMaxState(extrainfo, ts) AS v_extrainfo,
       argMaxState(cpe, ts) AS v_cpe,
       argMaxState(reason, ts) AS v_reason,
       maxStateIf(toUInt64(0), 0) AS opened_at,
       maxStateIf(toUInt64(0), 0) AS closed_at,
       minStateIf(toUInt64(0), 0) AS a_first_seen,
       maxStateIf(toUInt64(0), 0) AS a_last_seen,
       argMaxStateIf('', toUInt64(0), 0) AS a_sweep
FROM porthole.verifications
GROUP BY ip_num, proto, port, ip;

CREATE MATERIALIZED VIEW IF NOT EXISTS porthole.inventory_from_exposures TO porthole.inventory AS
SELECT ip_num,
       proto,
       port,
       ip,
       minStateIf(toUInt64(0), 0) AS first_seen,
       maxStateIf(toUInt64(0), 0) AS last_seen,
       sumStateIf(toUInt64(0), 0) AS handshakes,
       sumStateIf(toUInt64(0), 0) AS windows,
       maxStateIf(toUInt32(0), 0) AS clients_max,
       maxStateIf(toUInt32(0), 0) AS internal_max,
       maxStateIf(toUInt32(0), 0) AS internet_max,
       maxForEachStateIf(CAST([] AS Array(UInt8)), 0) AS hll_internal,
       maxForEachStateIf(CAST([] AS Array(UInt8)), 0) AS hll_internet,
       argMaxStateIf(CAST([] AS Array(String)), toUInt64(0), 0) AS recent_clients,
       groupUniqArrayStateIf('', 0) AS sensors,
       groupUniqArrayStateIf(toUInt16(0), 0) AS vlans,
       maxStateIf(toUInt8(0), 0) AS full_handshake,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS ttl,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS tcp_window,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS mss,
       argMaxStateIf('', toUInt64(0), 0) AS state,
       argMaxStateIf(toUInt64(0), toUInt64(0), 0) AS state_since,
       argMaxStateIf('', toUInt64(0), 0) AS state_reason,
       maxStateIf(toUInt64(0), 0) AS v_ts,
       argMaxStateIf('', toUInt64(0), 0) AS v_status,
       argMaxStateIf('', toUInt64(0), 0) AS v_service,
       argMaxStateIf('', toUInt64(0), 0) AS v_product,
       argMaxStateIf('', toUInt64(0), 0) AS v_version,
       argMaxStateIf('', toUInt64(0), 0) AS v_extrainfo,
       argMaxStateIf('', toUInt64(0), 0) AS v_cpe,
       argMaxStateIf('', toUInt64(0), 0) AS v_reason,
       maxState(if(event = 'open', ts, toUInt64(0))) AS opened_at,
       maxState(if(event = 'close', ts, toUInt64(0))) AS closed_at,
       minStateIf(toUInt64(0), 0) AS a_first_seen,
       maxStateIf(toUInt64(0), 0) AS a_last_seen,
       argMaxStateIf('', toUInt64(0), 0) AS a_sweep
FROM porthole.exposure_events
GROUP BY ip_num, proto, port, ip;

CREATE MATERIALIZED VIEW IF NOT EXISTS porthole.inventory_from_sweeps TO porthole.inventory AS
SELECT ip_num,
       proto,
       port,
       ip,
       minStateIf(toUInt64(0), 0) AS first_seen,
       maxStateIf(toUInt64(0), 0) AS last_seen,
       sumStateIf(toUInt64(0), 0) AS handshakes,
       sumStateIf(toUInt64(0), 0) AS windows,
       maxStateIf(toUInt32(0), 0) AS clients_max,
       maxStateIf(toUInt32(0), 0) AS internal_max,
       maxStateIf(toUInt32(0), 0) AS internet_max,
       maxForEachStateIf(CAST([] AS Array(UInt8)), 0) AS hll_internal,
       maxForEachStateIf(CAST([] AS Array(UInt8)), 0) AS hll_internet,
       argMaxStateIf(CAST([] AS Array(String)), toUInt64(0), 0) AS recent_clients,
       groupUniqArrayStateIf('', 0) AS sensors,
       groupUniqArrayStateIf(toUInt16(0), 0) AS vlans,
       maxStateIf(toUInt8(0), 0) AS full_handshake,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS ttl,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS tcp_window,
       argMaxStateIf(toInt32(0), toUInt64(0), 0) AS mss,
       argMaxStateIf('', toUInt64(0), 0) AS state,
       argMaxStateIf(toUInt64(0), toUInt64(0), 0) AS state_since,
       argMaxStateIf('', toUInt64(0), 0) AS state_reason,
       maxStateIf(toUInt64(0), 0) AS v_ts,
       argMaxStateIf('', toUInt64(0), 0) AS v_status,
       argMaxStateIf('', toUInt64(0), 0) AS v_service,
       argMaxStateIf('', toUInt64(0), 0) AS v_product,
       argMaxStateIf('', toUInt64(0), 0) AS v_version,
       argMaxStateIf('', toUInt64(0), 0) AS v_extrainfo,
       argMaxStateIf('', toUInt64(0), 0) AS v_cpe,
       argMaxStateIf('', toUInt64(0), 0) AS v_reason,
       maxStateIf(toUInt64(0), 0) AS opened_at,
       maxStateIf(toUInt64(0), 0) AS closed_at,
       minState(ts) AS a_first_seen,
       maxState(ts) AS a_last_seen,
       argMaxState(sweep_id, ts) AS a_sweep
FROM porthole.sweep_results
WHERE nmap_state = 'open'
GROUP BY ip_num, proto, port, ip;

CREATE MATERIALIZED VIEW IF NOT EXISTS porthole.rollup_hourly_from_observations TO porthole.rollup_hourly AS
SELECT ip_num,
       proto,
       port,
       ip,
       intDiv(window_start, 3600000) * 3600000 AS bucket,
       day,
       minState(first_seen) AS first_seen,
       maxState(last_seen) AS last_seen,
       sumState(toUInt64(if(dup_handshakes < handshakes, handshakes - dup_handshakes, 0))) AS handshakes,
       sumState(toUInt64(1 - dup_window)) AS windows,
       maxState(clients) AS clients_max,
       maxState(if(clients_internal + clients_internet = 0, if(client_outside = 1, toUInt32(0), clients), clients_internal)) AS internal_max,
       maxState(if(clients_internal + clients_internet = 0, if(client_outside = 1, clients, toUInt32(0)), clients_internet)) AS internet_max,
       maxForEachState(hll_internal) AS hll_internal,
       maxForEachState(hll_internet) AS hll_internet
FROM porthole.observations
GROUP BY ip_num, proto, port, ip, bucket, day;

CREATE MATERIALIZED VIEW IF NOT EXISTS porthole.rollup_daily_from_observations TO porthole.rollup_daily AS
SELECT ip_num,
       proto,
       port,
       ip,
       intDiv(window_start, 86400000) * 86400000 AS bucket,
       day,
       minState(first_seen) AS first_seen,
       maxState(last_seen) AS last_seen,
       sumState(toUInt64(if(dup_handshakes < handshakes, handshakes - dup_handshakes, 0))) AS handshakes,
       sumState(toUInt64(1 - dup_window)) AS windows,
       maxState(clients) AS clients_max,
       maxState(if(clients_internal + clients_internet = 0, if(client_outside = 1, toUInt32(0), clients), clients_internal)) AS internal_max,
       maxState(if(clients_internal + clients_internet = 0, if(client_outside = 1, clients, toUInt32(0)), clients_internet)) AS internet_max,
       maxForEachState(hll_internal) AS hll_internal,
       maxForEachState(hll_internet) AS hll_internet
FROM porthole.observations
GROUP BY ip_num, proto, port, ip, bucket, day;

CREATE MATERIALIZED VIEW IF NOT EXISTS porthole.ingest_offsets_from_observations TO porthole.ingest_offsets AS
SELECT kafka_partition,
       maxState(kafka_offset) AS kafka_offset
FROM porthole.observations
GROUP BY kafka_partition;
