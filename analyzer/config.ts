// The analyzer's configuration (and that of `porthole services` / `host`): defaults, JSON file,
// PORTHOLE_* environment, flags; validated once, frozen.

import { ConfigError } from '../common/errors.js';
import type { Secret } from '../common/secret.js';
import { readCaFile } from '../common/tls.js';
import {
  KAFKA_SECURITY_SPEC,
  type KafkaSecurity,
  kafkaSecurityConfig,
  NO_KAFKA_SECURITY,
} from '../common/kafka-security.js';
import { KAFKA_REPLICATION_SPEC, kafkaReplicationConfig, type TopicReplication } from '../common/kafka-replication.js';
import { DAY_MS } from '../common/time.js';
import { type Flat, type KeySpec, LOG_SPEC, type LogFormat, resolveConfig } from '../schemas/config-spec.js';
import { type ListenAddress, listenAddress } from '../schemas/config-values.js';
import { CLUSTER_NAME } from '../schemas/ddl-cluster.js';
import { canonicalIp } from '../schemas/ip.js';
import { TOPICS } from '../schemas/topics.js';
import type { SyslogTarget } from './alert/syslog.js';
import { CONSOLE_SPEC } from '../console/spec.js';
import { ROUTING_SPEC, routingConfig } from './config-routing.js';
import { SWEEP_SPEC, type SweepConfig, sweepConfig } from './config-sweep.js';
import { parseRule, type Rule } from './expected-rules.js';
import type { OwnerRule, OwnerSink } from './owners.js';
import { type Cidr, parseCidr } from './policy.js';

export const ANALYZER_SPEC: KeySpec[] = [
  { key: 'clickhouse.url', kind: { t: 'url' }, def: 'http://127.0.0.1:8123', doc: 'ClickHouse HTTP endpoint' },
  { key: 'clickhouse.user', kind: { t: 'string' }, def: 'default', doc: 'ClickHouse user' },
  { key: 'clickhouse.password', kind: { t: 'string', nullable: true }, def: null, doc: 'ClickHouse password' },
  {
    key: 'clickhouse.ca',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'PEM file of the CAs trusted for an https:// clickhouse.url (default: the system CAs)',
  },
  {
    key: 'clickhouse.database',
    kind: { t: 'string' },
    def: 'porthole',
    doc: 'database (the analyzer and verifier create it when missing; other commands refuse one that does not exist)',
  },
  {
    key: 'clickhouse.cluster',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'cluster name (remote_servers) for cluster mode: replicated tables per shard, Distributed tables, DDL ON CLUSTER (docs/cluster.md); null: one server',
  },
  {
    key: 'kafka.brokers',
    kind: { t: 'list', item: 'broker', min: 1 },
    def: ['127.0.0.1:9092'],
    doc: 'Kafka bootstrap brokers (host:port)',
  },
  { key: 'kafka.clientId', kind: { t: 'string' }, def: 'porthole-analyzer', doc: 'Kafka client id' },
  ...KAFKA_SECURITY_SPEC,
  ...KAFKA_REPLICATION_SPEC,
  {
    key: 'kafka.groupId',
    kind: { t: 'string' },
    def: 'porthole-analyzer',
    doc: 'consumer group: analyzers in one group share partitions',
  },
  { key: 'kafka.observationsTopic', kind: { t: 'string' }, def: TOPICS.observations.name, doc: 'topic read' },
  {
    key: 'kafka.deadLetterTopic',
    kind: { t: 'string' },
    def: TOPICS.deadLetters.name,
    doc: 'invalid messages go here, with the reason',
  },
  { key: 'kafka.alertsTopic', kind: { t: 'string' }, def: TOPICS.alerts.name, doc: 'alerts are published here' },
  {
    key: 'kafka.statusTopic',
    kind: { t: 'string' },
    def: TOPICS.sensorStatus.name,
    doc: 'the sensors\' health messages are read from here into ClickHouse (sensor_status; its own group, kafka.groupId + "-status")',
  },
  {
    key: 'kafka.verifyRequestsTopic',
    kind: { t: 'string' },
    def: TOPICS.verifyRequests.name,
    doc: 'porthole verify publishes its requests here; the verifier consumes them',
  },
  {
    key: 'retention.days',
    kind: { t: 'int', min: 1, max: 3650 },
    def: 30,
    doc: 'days of raw Observations, hourly rollups and sensor statuses kept (older day partitions dropped; the inventory and daily rollups stay)',
  },
  {
    key: 'policy.homeNetworks',
    kind: { t: 'list' },
    def: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
    doc: 'networks whose services are tracked (others stored, never alerted)',
  },
  {
    key: 'policy.learningPeriod',
    kind: { t: 'duration' },
    def: 0,
    doc: 'after the first start, build the baseline this long without alerting',
  },
  {
    key: 'policy.firstStartLimit',
    kind: { t: 'int', min: 0, max: 100_000_000 },
    def: 1000,
    doc: 'a fresh database alerts on at most this many new services within policy.firstStartWindow, then builds the baseline (0: no limit)',
  },
  {
    key: 'policy.firstStartWindow',
    kind: { t: 'duration' },
    def: 15 * 60_000,
    doc: 'the window after the first start in which policy.firstStartLimit applies',
  },
  {
    key: 'policy.expected',
    kind: { t: 'list' },
    def: [],
    doc: 'expected services, CIDR:port (e.g. 10.1.0.0/16:443): known, no alert',
  },
  {
    key: 'policy.rulesRefresh',
    kind: { t: 'duration' },
    def: 10_000,
    doc: 'how often a running analyzer reads the expected services stored with porthole expect',
  },
  {
    key: 'policy.highRiskPorts',
    kind: { t: 'list' },
    def: [
      '21',
      '22',
      '23',
      '25',
      '135',
      '139',
      '445',
      '1433',
      '2375',
      '3306',
      '3389',
      '5432',
      '5900',
      '6379',
      '9200',
      '11211',
      '27017',
    ],
    doc: 'ports whose exposure is high severity',
  },
  {
    key: 'policy.synProxyPorts',
    kind: { t: 'int', min: 2, max: 65535 },
    def: 100,
    doc: 'a host answering on more ports than this is flagged once as a SYN proxy/tarpit',
  },
  {
    key: 'policy.poorCoverage',
    kind: { t: 'number', min: 0, max: 1 },
    def: 0.05,
    doc: 'a new-service alert from a window whose sensor missed more than this share of the handshake packets it could check says that coverage was poor (the service may be newly visible rather than new)',
  },
  {
    key: 'policy.staleAfter',
    kind: { t: 'duration' },
    def: 7 * DAY_MS,
    doc: 'an endpoint not seen this long becomes stale',
  },
  {
    key: 'alerts.webhooks',
    kind: { t: 'list', item: 'url' },
    def: [],
    doc: 'URLs that receive each alert no team owns (owners.rules) as a JSON POST',
  },
  {
    key: 'alerts.slackWebhooks',
    kind: { t: 'list', item: 'url' },
    def: [],
    doc: 'URLs that receive each alert no team owns as {"text": …} (Slack-compatible)',
  },
  {
    key: 'alerts.ratePerMinute',
    kind: { t: 'int', min: 1, max: 100_000 },
    def: 30,
    doc: 'messages a minute at most to each webhook and Slack URL (a storm goes as digests)',
  },
  {
    key: 'alerts.digestAbove',
    kind: { t: 'int', min: 1, max: 100_000 },
    def: 10,
    doc: 'more alerts waiting for a webhook or Slack URL than this are grouped into digests per network',
  },
  ...ROUTING_SPEC,
  {
    key: 'policy.scannerAddresses',
    kind: { t: 'list' },
    def: [],
    doc: "the verifier's own source addresses: their probes never make services (verify.sourceAddresses are added)",
  },
  {
    key: 'verify.sourceAddresses',
    kind: { t: 'list' },
    def: [],
    doc: "addresses of the scanner's own (at most one IPv4, one IPv6) nmap sends every probe from (-S)",
  },
  {
    key: 'verify.allowedNetworks',
    kind: { t: 'list' },
    def: [],
    doc: 'the only networks the verifier may scan (empty: scan nothing)',
  },
  {
    key: 'verify.minInterval',
    kind: { t: 'duration' },
    def: 3_600_000,
    doc: 'no endpoint is verified more often than this',
  },
  { key: 'verify.concurrency', kind: { t: 'int', min: 1, max: 64 }, def: 2, doc: 'nmap runs at once' },
  {
    key: 'verify.maxRunsPerMinute',
    kind: { t: 'int', min: 1, max: 10_000 },
    def: 30,
    doc: 'nmap runs started per minute at most',
  },
  { key: 'verify.hostTimeout', kind: { t: 'duration' }, def: 30_000, doc: 'nmap --host-timeout for the first attempt' },
  {
    key: 'verify.slowHostTimeout',
    kind: { t: 'duration' },
    def: 120_000,
    doc: '--host-timeout when a host timed out once (retried apart)',
  },
  { key: 'verify.versionIntensity', kind: { t: 'int', min: 0, max: 9 }, def: 7, doc: 'nmap --version-intensity' },
  { key: 'verify.maxRetries', kind: { t: 'int', min: 0, max: 10 }, def: 2, doc: 'nmap --max-retries' },
  {
    key: 'verify.batchDelay',
    kind: { t: 'duration' },
    def: 2000,
    doc: 'wait this long to batch new ports of one host into one run',
  },
  {
    key: 'verify.scanType',
    kind: { t: 'list', values: ['auto', 'syn', 'connect'] },
    def: ['auto'],
    doc: 'auto: SYN scan as root, connect scan otherwise or with verify.sourceAddresses',
  },
  {
    key: 'verify.nmapCommand',
    kind: { t: 'list' },
    def: ['nmap'],
    doc: 'how to run nmap (argument list, e.g. ip,netns,exec,scan,nmap)',
  },
  {
    key: 'kafka.verifierGroupId',
    kind: { t: 'string' },
    def: 'porthole-verifier',
    doc: "the verifier's consumer group on the alerts topic",
  },
  {
    key: 'consume.batchSize',
    kind: { t: 'int', min: 1, max: 1_000_000 },
    def: 50_000,
    doc: 'rows per ClickHouse insert at most (partitions processed together share inserts up to this)',
  },
  {
    key: 'consume.partitionsAtOnce',
    kind: { t: 'int', min: 1, max: 64 },
    def: 6,
    doc: 'Kafka partitions processed at the same time (their rows share inserts)',
  },
  // The analyzer and the verifier read one config file and often run on one host: each has its
  // own metrics key (and port), the verifier's among its verify.* keys.
  {
    key: 'metrics.listen',
    kind: { t: 'listen', nullable: true },
    def: '127.0.0.1:9465',
    doc: "address:port serving the analyzer's Prometheus metrics at /metrics (off or empty: none); a port in use is warned about, not fatal",
  },
  {
    key: 'verify.metricsListen',
    kind: { t: 'listen', nullable: true },
    def: '127.0.0.1:9466',
    doc: "address:port serving the verifier's Prometheus metrics at /metrics (off or empty: none); a port in use is warned about, not fatal",
  },
  ...SWEEP_SPEC,
  ...CONSOLE_SPEC,
  ...LOG_SPEC,
];

export interface AnalyzerConfig {
  /** `ca`: the PEM text of clickhouse.ca, read at start-up */
  clickhouse: {
    url: string;
    user: string;
    password: string | null;
    database: string;
    ca: string | null;
    /** cluster mode's cluster name; null: one server */
    cluster: string | null;
  };
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    observationsTopic: string;
    deadLetterTopic: string;
    alertsTopic: string;
    statusTopic: string;
    verifyRequestsTopic: string;
    replication: TopicReplication;
    security: KafkaSecurity;
  };
  retentionDays: number;
  policy: {
    homeNetworks: Cidr[];
    learningPeriodMs: number;
    firstStartLimit: number;
    firstStartWindowMs: number;
    /** the config file's expected services (stored ones are added at run time: expected-refresh.ts) */
    expected: Rule[];
    rulesRefreshMs: number;
    highRiskPorts: Set<number>;
    synProxyPorts: number;
    /** capture loss above which a window's coverage is poor (captureLoss of its Observations) */
    poorCoverage: number;
    staleAfterMs: number;
    scannerAddresses: Set<string>;
    /** owners.rules, most specific first */
    owners: OwnerRule[];
  };
  verify: {
    allowed: Cidr[];
    minIntervalMs: number;
    concurrency: number;
    maxRunsPerMinute: number;
    hostTimeoutMs: number;
    slowHostTimeoutMs: number;
    versionIntensity: number;
    maxRetries: number;
    batchDelayMs: number;
    scanType: 'auto' | 'syn' | 'connect';
    nmapCommand: string[];
    groupId: string;
    /** canonical; at most one per family */
    sourceAddresses: string[];
    /** the verifier's metrics (verify.metricsListen) */
    metricsListen: ListenAddress | null;
  };
  /** porthole sweeper (config-sweep.ts) */
  sweep: SweepConfig;
  alerts: {
    webhooks: string[];
    slackWebhooks: string[];
    ratePerMinute: number;
    digestAbove: number;
    syslog: SyslogTarget[];
    /** PEM text of alerts.syslogCa, read at start-up */
    syslogCa: string | null;
    ownerWebhooks: OwnerSink[];
    ownerSlackWebhooks: OwnerSink[];
    /** signs the JSON webhooks' requests (a team's own secret first) */
    webhookSecret: Secret | null;
    ownerWebhookSecrets: Map<string, Secret>;
  };
  batchSize: number;
  partitionsAtOnce: number;
  /** the analyzer's metrics (metrics.listen) */
  metricsListen: ListenAddress | null;
  logLevel: string;
  logFormat: LogFormat;
}

export function loadAnalyzerConfig(opts: {
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  flags?: Flat;
  /** false for commands that only use ClickHouse: Kafka's and the webhooks' secrets are not read */
  secrets?: boolean;
}): AnalyzerConfig {
  const c = resolveConfig(ANALYZER_SPEC, opts);
  const g = <T>(k: string): T => c[k] as T;
  const errors: string[] = [];
  const cidrs = (key: string, list: string[]): Cidr[] =>
    list.flatMap((s) => {
      const n = parseCidr(s);
      if (!n) errors.push(`${key}: not a CIDR: ${JSON.stringify(s)}`);
      return n ? [n] : [];
    });
  const homeNetworks = cidrs('policy.homeNetworks', g('policy.homeNetworks'));
  const expected = g<string[]>('policy.expected').flatMap((s) => {
    const r = parseRule(s);
    if ('error' in r) errors.push(`policy.expected: ${r.error}`);
    return 'error' in r ? [] : [r];
  });
  const highRisk = g<string[]>('policy.highRiskPorts').map(Number);
  if (highRisk.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
    errors.push('policy.highRiskPorts: ports must be 1..65535');
  const env = opts.env ?? process.env;
  const secrets = opts.secrets !== false;
  const routing = routingConfig(g, env, secrets, errors);
  const security = secrets ? kafkaSecurityConfig(g, env, errors) : NO_KAFKA_SECURITY;
  const replication = kafkaReplicationConfig(g, errors);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(g('clickhouse.database')))
    errors.push('clickhouse.database: letters, digits and _ only');
  const cluster = g<string | null>('clickhouse.cluster');
  if (cluster !== null && !CLUSTER_NAME.test(cluster)) errors.push('clickhouse.cluster: letters, digits and _ only');
  const chCa = clickhouseCa(g, errors);
  const allowed = cidrs('verify.allowedNetworks', g('verify.allowedNetworks'));
  const scanners = g<string[]>('policy.scannerAddresses').map((a) => {
    const c = canonicalIp(a);
    if (!c) errors.push(`policy.scannerAddresses: not an address: ${JSON.stringify(a)}`);
    return c ?? '';
  });
  const sources = g<string[]>('verify.sourceAddresses').map((a) => {
    const c = canonicalIp(a);
    if (!c) errors.push(`verify.sourceAddresses: not an address: ${JSON.stringify(a)}`);
    return c ?? '';
  });
  for (const v6 of [false, true])
    if (sources.filter((a) => a && a.includes(':') === v6).length > 1)
      errors.push(`verify.sourceAddresses: at most one ${v6 ? 'IPv6' : 'IPv4'} address`);
  if (g<number>('policy.rulesRefresh') < 1000) errors.push('policy.rulesRefresh: at least 1s');
  if (g<string[]>('verify.scanType').length !== 1) errors.push('verify.scanType: one of auto, syn, connect');
  else if (g<string[]>('verify.scanType')[0] === 'syn' && sources.length)
    errors.push('verify.scanType: syn cannot send from verify.sourceAddresses (a connect scan does)');
  if (g<string[]>('verify.nmapCommand').length === 0) errors.push('verify.nmapCommand: empty');
  const sweep = sweepConfig(g, errors);
  if (errors.length) throw new ConfigError(`invalid configuration: ${errors.join('; ')}`);
  return Object.freeze({
    clickhouse: {
      url: g('clickhouse.url'),
      user: g('clickhouse.user'),
      password: g('clickhouse.password'),
      database: g('clickhouse.database'),
      ca: chCa,
      cluster,
    },
    kafka: {
      brokers: g('kafka.brokers'),
      clientId: g('kafka.clientId'),
      groupId: g('kafka.groupId'),
      observationsTopic: g('kafka.observationsTopic'),
      deadLetterTopic: g('kafka.deadLetterTopic'),
      alertsTopic: g('kafka.alertsTopic'),
      statusTopic: g('kafka.statusTopic'),
      verifyRequestsTopic: g('kafka.verifyRequestsTopic'),
      replication,
      security,
    },
    retentionDays: g('retention.days'),
    policy: {
      homeNetworks,
      learningPeriodMs: g('policy.learningPeriod'),
      firstStartLimit: g('policy.firstStartLimit'),
      firstStartWindowMs: g('policy.firstStartWindow'),
      expected,
      rulesRefreshMs: g('policy.rulesRefresh'),
      highRiskPorts: new Set(highRisk),
      synProxyPorts: g('policy.synProxyPorts'),
      poorCoverage: g('policy.poorCoverage'),
      staleAfterMs: g('policy.staleAfter'),
      // the verifier's own source addresses are scanner addresses without being listed twice
      scannerAddresses: new Set([...scanners, ...sources]),
      owners: routing.owners,
    },
    verify: {
      allowed,
      minIntervalMs: g('verify.minInterval'),
      concurrency: g('verify.concurrency'),
      maxRunsPerMinute: g('verify.maxRunsPerMinute'),
      hostTimeoutMs: g('verify.hostTimeout'),
      slowHostTimeoutMs: g('verify.slowHostTimeout'),
      versionIntensity: g('verify.versionIntensity'),
      maxRetries: g('verify.maxRetries'),
      batchDelayMs: g('verify.batchDelay'),
      scanType: g<string[]>('verify.scanType')[0] as 'auto' | 'syn' | 'connect',
      nmapCommand: g('verify.nmapCommand'),
      groupId: g('kafka.verifierGroupId'),
      sourceAddresses: sources,
      metricsListen: listenAddress(g('verify.metricsListen')),
    },
    sweep,
    alerts: {
      webhooks: g('alerts.webhooks'),
      slackWebhooks: g('alerts.slackWebhooks'),
      ratePerMinute: g('alerts.ratePerMinute'),
      digestAbove: g('alerts.digestAbove'),
      syslog: routing.syslog,
      syslogCa: routing.syslogCa,
      ownerWebhooks: routing.ownerWebhooks,
      ownerSlackWebhooks: routing.ownerSlackWebhooks,
      webhookSecret: routing.webhookSecret,
      ownerWebhookSecrets: routing.ownerWebhookSecrets,
    },
    batchSize: g('consume.batchSize'),
    partitionsAtOnce: g('consume.partitionsAtOnce'),
    metricsListen: listenAddress(g('metrics.listen')),
    logLevel: g('log.level'),
    logFormat: g('log.format'),
  }) as AnalyzerConfig;
}

/** clickhouse.ca read and checked now (a wrong file stops start-up), for https:// only. */
function clickhouseCa(g: <T>(key: string) => T, errors: string[]): string | null {
  const path = g<string | null>('clickhouse.ca');
  if (path === null) return null;
  if (!g<string>('clickhouse.url').startsWith('https://')) {
    errors.push('clickhouse.ca: set, but clickhouse.url is not https://');
    return null;
  }
  return readCaFile('clickhouse.ca', path, errors);
}
