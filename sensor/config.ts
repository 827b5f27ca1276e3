// The sensor's configuration: every key, its default and meaning; resolved once at start-up
// from defaults, a JSON file, PORTHOLE_* environment variables and flags (see config-spec.ts).

import { hostname } from 'node:os';
import { type Flat, type KeySpec, LOG_SPEC, type LogFormat, resolveConfig } from '../schemas/config-spec.js';
import { TOPICS } from '../schemas/topics.js';
import { parseHomeNetworks } from '../schemas/zones.js';
import { type ListenAddress, listenAddress, parseListen } from '../schemas/config-values.js';
import { ConfigError } from '../common/errors.js';
import { KAFKA_SECURITY_SPEC, type KafkaSecurity, kafkaSecurityConfig } from '../common/kafka-security.js';
import { KAFKA_REPLICATION_SPEC, kafkaReplicationConfig, type TopicReplication } from '../common/kafka-replication.js';
import { ENCAPSULATIONS, type Encapsulation, LINK_STACKS } from './decode/encapsulations.js';
import { DEFAULT_TRACKER_OPTIONS as TRACK } from './track/tracker.js';
import { LOSS_POLICIES, type LossPolicy } from './capture/live-capture.js';

export const SENSOR_SPEC: KeySpec[] = [
  { key: 'sensor.id', kind: { t: 'string' }, def: hostname(), doc: 'sensor id put in every Observation' },
  {
    key: 'capture.iface',
    kind: { t: 'list' },
    def: [],
    doc: 'interfaces to capture on into one tracker: the mirror port, or the two ports of a TAP',
  },
  {
    key: 'capture.onInterfaceLoss',
    kind: { t: 'string' },
    def: 'wait',
    doc: 'when an interface goes down or disappears: wait (reopen it when it is back) or exit (non-zero, after flushing)',
  },
  {
    key: 'capture.pcap',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'read this capture file instead of an interface',
  },
  {
    key: 'capture.sflow',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'receive sFlow v5 datagrams from switches on [address:]port (UDP; a port alone listens on 127.0.0.1) instead of capturing',
  },
  {
    key: 'capture.bufferMb',
    kind: { t: 'int', min: 1, max: 4096 },
    def: 256,
    doc: 'libpcap buffer in MiB (with capture.sflow: the UDP receive buffer, capped by net.core.rmem_max)',
  },
  {
    key: 'capture.acks',
    kind: { t: 'bool' },
    def: true,
    doc: 'also capture payload-less ACKs, to prove full handshakes',
  },
  {
    key: 'capture.encapsulations',
    kind: { t: 'list', values: ENCAPSULATIONS },
    def: ['vlan', 'vxlan', 'geneve', 'gre', 'ipip'],
    doc: 'encapsulations the kernel filter lets through',
  },
  {
    key: 'capture.user',
    kind: { t: 'string', nullable: true },
    def: 'nobody',
    doc: 'user to switch to after opening the capture (when root); null: stay, only for a capture file (a trusted one: porthole demo reads its own so)',
  },
  {
    key: 'track.window',
    kind: { t: 'duration' },
    def: TRACK.windowMs,
    doc: 'aggregation window: one Observation per endpoint per window',
  },
  { key: 'track.grace', kind: { t: 'duration' }, def: TRACK.graceMs, doc: 'wait after a window closes for late ACKs' },
  {
    key: 'track.maxFlows',
    kind: { t: 'int', min: 1000, max: 50_000_000 },
    def: TRACK.maxFlows,
    doc: 'connection attempts tracked at once',
  },
  {
    key: 'track.synTimeout',
    kind: { t: 'duration' },
    def: TRACK.synTimeoutMs,
    doc: 'a SYN unanswered this long is unanswered',
  },
  {
    key: 'track.maxClients',
    kind: { t: 'int', min: 1, max: 1_000_000 },
    def: TRACK.maxClientsPerEndpoint,
    doc: 'distinct clients counted per endpoint and window',
  },
  {
    key: 'track.homeNetworks',
    kind: { t: 'list' },
    def: TRACK.homeNetworks,
    doc: 'CIDRs whose clients count as internal (clients_internal), the rest as internet',
  },
  {
    key: 'track.scannerAddresses',
    kind: { t: 'list' },
    def: TRACK.scannerAddresses,
    doc: "the verifier's source addresses (its verify.sourceAddresses): connections from them are not counted",
  },
  {
    key: 'kafka.brokers',
    kind: { t: 'list', item: 'broker', min: 1 },
    def: ['127.0.0.1:9092'],
    doc: 'Kafka bootstrap brokers (host:port)',
  },
  { key: 'kafka.clientId', kind: { t: 'string' }, def: 'porthole-sensor', doc: 'Kafka client id' },
  ...KAFKA_SECURITY_SPEC,
  ...KAFKA_REPLICATION_SPEC,
  {
    key: 'kafka.observationsTopic',
    kind: { t: 'string' },
    def: TOPICS.observations.name,
    doc: 'topic for Observations',
  },
  {
    key: 'kafka.observationsPartitions',
    kind: { t: 'int', min: 1, max: 1000 },
    def: TOPICS.observations.partitions,
    doc: 'partitions when the sensor creates it',
  },
  {
    key: 'kafka.observationsRetention',
    kind: { t: 'duration' },
    def: TOPICS.observations.retentionMs,
    doc: 'retention when the sensor creates it',
  },
  {
    key: 'kafka.statusTopic',
    kind: { t: 'string' },
    def: TOPICS.sensorStatus.name,
    doc: 'topic for sensor health messages',
  },
  {
    key: 'kafka.statusRetention',
    kind: { t: 'duration' },
    def: TOPICS.sensorStatus.retentionMs,
    doc: 'retention when the sensor creates it',
  },
  {
    key: 'publish.queueLimit',
    kind: { t: 'int', min: 1, max: 10_000_000 },
    def: 200_000,
    doc: 'Observations buffered while Kafka is away; then the oldest are dropped',
  },
  {
    key: 'publish.batchSize',
    kind: { t: 'int', min: 1, max: 100_000 },
    def: 1000,
    doc: 'messages per Kafka request at most',
  },
  { key: 'publish.linger', kind: { t: 'duration' }, def: 100, doc: 'wait this long to fill a batch' },
  {
    key: 'publish.flushTimeout',
    kind: { t: 'duration' },
    def: 15_000,
    doc: 'on shutdown, wait this long for Kafka to take what is queued',
  },
  { key: 'status.interval', kind: { t: 'duration' }, def: 10_000, doc: 'health message period' },
  {
    key: 'metrics.listen',
    kind: { t: 'listen', nullable: true },
    def: '127.0.0.1:9464',
    doc: 'address:port serving Prometheus metrics at /metrics (off or empty: none); a port in use is warned about, not fatal',
  },
  ...LOG_SPEC,
];

export interface SensorConfig {
  sensorId: string;
  capture: {
    ifaces: readonly string[];
    onInterfaceLoss: LossPolicy;
    pcap: string | null;
    sflow: ListenAddress | null;
    bufferMb: number;
    acks: boolean;
    encapsulations: Encapsulation[];
    /** null: no switch (a capture file only) */
    user: string | null;
  };
  track: {
    windowMs: number;
    graceMs: number;
    maxFlows: number;
    synTimeoutMs: number;
    maxClients: number;
    homeNetworks: readonly string[];
    scannerAddresses: readonly string[];
  };
  kafka: {
    brokers: string[];
    clientId: string;
    observationsTopic: string;
    observationsPartitions: number;
    observationsRetentionMs: number;
    statusTopic: string;
    statusRetentionMs: number;
    replication: TopicReplication;
    security: KafkaSecurity;
  };
  publish: { queueLimit: number; batchSize: number; lingerMs: number; flushTimeoutMs: number };
  statusIntervalMs: number;
  metricsListen: ListenAddress | null;
  logLevel: string;
  logFormat: LogFormat;
}

export function loadSensorConfig(opts: {
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  flags?: Flat;
  needSource?: boolean;
}): SensorConfig {
  const c = resolveConfig(SENSOR_SPEC, opts);
  const g = <T>(k: string): T => c[k] as T;
  const errors: string[] = [];
  const ifaces = g<string[]>('capture.iface');
  const sflow = sflowListen(g('capture.sflow'), errors);
  const sources = [ifaces.length > 0, g('capture.pcap') !== null, g('capture.sflow') !== null].filter(Boolean).length;
  if (opts.needSource !== false && sources === 0) {
    errors.push('capture.iface, capture.pcap or capture.sflow is required (--iface IF, --pcap FILE or --sflow PORT)');
  }
  if (sources > 1) errors.push('give one of capture.iface, capture.pcap and capture.sflow');
  const enc = g<string[]>('capture.encapsulations');
  if (enc.filter((e) => LINK_STACKS.includes(e as Encapsulation)).length > 1) {
    errors.push(
      `capture.encapsulations: at most one of ${LINK_STACKS.join(', ')} (libpcap shifts header offsets for the rest of a filter), got ${enc.join(',')}`,
    );
  }
  // parsing live traffic as root is what the switch prevents: only a file may be read without it
  if (g('capture.user') === null && (ifaces.length > 0 || g('capture.sflow') !== null))
    errors.push(
      'capture.user: null (no switch) is for a capture file only; a live capture switches to an unprivileged user',
    );
  errors.push(...ifaceProblems(ifaces));
  const onLoss = g<string>('capture.onInterfaceLoss');
  if (!LOSS_POLICIES.includes(onLoss as LossPolicy)) {
    errors.push(`capture.onInterfaceLoss: must be ${LOSS_POLICIES.join(' or ')}, got ${JSON.stringify(onLoss)}`);
  }
  const home = parseHomeNetworks(g('track.homeNetworks'));
  if (!home.ok) errors.push(`track.homeNetworks: ${home.errors.join('; ')}`);
  const scanners = parseHomeNetworks(g('track.scannerAddresses'));
  if (!scanners.ok) errors.push(`track.scannerAddresses: ${scanners.errors.join('; ')}`);
  const security = kafkaSecurityConfig(g, opts.env ?? process.env, errors);
  const replication = kafkaReplicationConfig(g, errors);
  if (errors.length) throw new ConfigError(`invalid configuration: ${errors.join('; ')}`);
  return Object.freeze({
    sensorId: g('sensor.id'),
    capture: Object.freeze({
      ifaces: Object.freeze([...ifaces]),
      onInterfaceLoss: onLoss,
      pcap: g('capture.pcap'),
      sflow,
      bufferMb: g('capture.bufferMb'),
      acks: g('capture.acks'),
      encapsulations: g('capture.encapsulations'),
      user: g('capture.user'),
    }),
    track: Object.freeze({
      windowMs: g('track.window'),
      graceMs: g('track.grace'),
      maxFlows: g('track.maxFlows'),
      synTimeoutMs: g('track.synTimeout'),
      maxClients: g('track.maxClients'),
      homeNetworks: Object.freeze([...g<string[]>('track.homeNetworks')]),
      scannerAddresses: Object.freeze([...g<string[]>('track.scannerAddresses')]),
    }),
    kafka: Object.freeze({
      brokers: g('kafka.brokers'),
      clientId: g('kafka.clientId'),
      observationsTopic: g('kafka.observationsTopic'),
      observationsPartitions: g('kafka.observationsPartitions'),
      observationsRetentionMs: g('kafka.observationsRetention'),
      statusTopic: g('kafka.statusTopic'),
      statusRetentionMs: g('kafka.statusRetention'),
      replication,
      security,
    }),
    publish: Object.freeze({
      queueLimit: g('publish.queueLimit'),
      batchSize: g('publish.batchSize'),
      lingerMs: g('publish.linger'),
      flushTimeoutMs: g('publish.flushTimeout'),
    }),
    statusIntervalMs: g('status.interval'),
    metricsListen: listenAddress(g('metrics.listen')),
    logLevel: g('log.level'),
    logFormat: g('log.format'),
  }) as SensorConfig;
}

/**
 * capture.sflow: "[address:]port", a port alone on loopback (a listener binds to loopback unless
 * told otherwise); port 0 lets the system choose (tests). Null when unset.
 */
function sflowListen(text: string | null, errors: string[]): ListenAddress | null {
  if (text === null) return null;
  const l = parseListen(/^\d{1,5}$/.test(text) ? `127.0.0.1:${text}` : text);
  if (!('error' in l)) return Object.freeze(l);
  errors.push(`capture.sflow: ${l.error}, or a port alone, got ${JSON.stringify(text)}`);
  return null;
}

/** Interface names as Linux accepts them (at most 15 bytes, no "/", blank or ":"), each once. */
function ifaceProblems(ifaces: readonly string[]): string[] {
  const bad = ifaces.filter((i) => !/^[^/\s:]{1,15}$/.test(i) || i === '.' || i === '..');
  const twice = ifaces.filter((i, n) => ifaces.indexOf(i) !== n);
  const out: string[] = [];
  if (bad.length) out.push(`capture.iface: not an interface name: ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  if (twice.length) out.push(`capture.iface: listed twice: ${[...new Set(twice)].join(', ')}`);
  return out;
}
