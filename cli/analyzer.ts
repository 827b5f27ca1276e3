// `porthole analyzer`, `porthole verifier` and `porthole schema`: argument parsing only.

import { parseArgs } from 'node:util';
import { type Flat, specHelp } from '../schemas/config-spec.js';
import { schemaSql } from '../schemas/ddl.js';
import { CLUSTER_NAME, clusterSchemaSql } from '../schemas/ddl-cluster.js';
import { ANALYZER_SPEC, type AnalyzerConfig, loadAnalyzerConfig } from '../analyzer/config.js';
import { runAnalyzer } from '../analyzer/main.js';
import { runVerifier } from '../analyzer/verify/verifier.js';
import { rootLogger } from '../common/logger.js';
import { usage } from './args.js';

const COMMON = `  --config FILE         JSON config file (keys below, nested by their dots)
  --clickhouse URL      ClickHouse HTTP URL (default http://127.0.0.1:8123)
  --database NAME       database (default porthole)`;

export const ANALYZER_HELP = `Usage: porthole analyzer [options]

Consume Observations from Kafka into the ClickHouse inventory, track each endpoint's state
(new, active, stale, reopened) and raise one alert per newly exposed or reopened endpoint
(ClickHouse alerts table; Kafka alerts topic as ECS JSON, syslog receivers as CEF; the
webhooks of the team owning the address, or the default ones). Several analyzers with the same
group id share the partitions.

Options:
${COMMON}
  --brokers LIST        Kafka brokers (default 127.0.0.1:9092)
  -h, --help            this help

Every configuration key:
${specHelp(ANALYZER_SPEC)}
`;

/**
 * The analyzer's keys the verifier does not read: ingestion, alert delivery, detection policy,
 * the analyzer's metrics address (the verifier's is verify.metricsListen).
 */
const NOT_VERIFIER =
  /^(alerts|retention|consume|policy|console|metrics|sweep)\.|^kafka\.(sweepTopic|sweepStatusTopic|sweeperGroupId)$|^owners\.(webhooks|slackWebhooks)$|^kafka\.(groupId|observationsTopic|deadLetterTopic|statusTopic)$/;

/** The keys the verifier reads (its config file may hold the analyzer's others: all are checked). */
export const VERIFIER_SPEC = ANALYZER_SPEC.filter((s) => !NOT_VERIFIER.test(s.key));

export const VERIFIER_HELP = `Usage: porthole verifier [options]

Verify every newly exposed or reopened endpoint (from the alerts topic) with nmap -sV, only
inside verify.allowedNetworks, and store the result per endpoint (verified_open,
filtered_to_scanner, closed_now, unverifiable, refused). It shares the analyzer's config file:
every key is checked, the keys below are read. Its probes never count as a client's when they
leave from verify.sourceAddresses, set as track.scannerAddresses on each sensor too
(docs/verification.md). porthole verify IP:PORT asks it for a verification now.

Options:
${COMMON}
  --brokers LIST        Kafka brokers (default 127.0.0.1:9092)
  -h, --help            this help

Configuration keys read (config file, or the environment variable beside each):
${specHelp(VERIFIER_SPEC)}
`;

export async function verifierCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: COMMON_OPTS });
  if (values.help) {
    process.stdout.write(VERIFIER_HELP);
    return 0;
  }
  const cfg = config(values);
  return runVerifier(cfg, await logger(cfg, 'porthole-verifier'));
}

export const SCHEMA_HELP = `Usage: porthole schema [--database NAME] [--cluster NAME]

Print the ClickHouse DDL generated from schemas/ (what the analyzer creates at start-up).
  --cluster NAME   the cluster-mode DDL (clickhouse.cluster = NAME): replicated local tables
                   and Distributed tables, ON CLUSTER NAME (docs/cluster.md)
`;

const COMMON_OPTS = {
  config: { type: 'string' },
  clickhouse: { type: 'string' },
  database: { type: 'string' },
  brokers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function config(values: Record<string, unknown>): AnalyzerConfig {
  const flags: Flat = {
    'clickhouse.url': values.clickhouse,
    'clickhouse.database': values.database,
    'kafka.brokers': values.brokers,
  };
  return loadAnalyzerConfig({ file: values.config as string | undefined, flags });
}

function logger(cfg: AnalyzerConfig, service: string) {
  return rootLogger({ level: cfg.logLevel, format: cfg.logFormat, base: { service } });
}

export async function analyzerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: COMMON_OPTS });
  if (values.help) {
    process.stdout.write(ANALYZER_HELP);
    return 0;
  }
  const cfg = config(values);
  return runAnalyzer(cfg, await logger(cfg, 'porthole-analyzer'));
}

export async function schemaCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { database: { type: 'string' }, cluster: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(SCHEMA_HELP);
    return 0;
  }
  const db = values.database ?? 'porthole';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(db)) throw usage('--database: letters, digits and _ only');
  if (values.cluster === undefined) process.stdout.write(schemaSql(db));
  else if (!CLUSTER_NAME.test(values.cluster)) throw usage('--cluster: letters, digits and _ only');
  else process.stdout.write(clusterSchemaSql(db, values.cluster));
  return 0;
}
