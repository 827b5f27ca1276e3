-- Generated from schemas/tables.ts by `porthole schema`. Do not edit: a test fails when it drifts.
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
    ip_num FixedString(16) MATERIALIZED IPv6StringToNum(concat(if(position(ip, ':') > 0, '', '::ffff:'), ip)),
    client_outside UInt8,
    ingested_at DateTime
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
    attempt UInt8
)
ENGINE = ReplacingMergeTree()
PARTITION BY day
ORDER BY (ip, proto, port, ts, status);

CREATE TABLE IF NOT EXISTS porthole.meta
(
    key String,
    value String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (key);
