// `porthole analyzer`, `porthole verifier`, `porthole services`, `porthole host IP` and
// `porthole schema`: argument parsing and printing only; what services and host show comes from
// analyzer/inventory.ts.

import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { canonicalIp } from '../schemas/ip.js';
import { type Flat, specHelp } from '../schemas/config-spec.js';
import { schemaSql } from '../schemas/ddl.js';
import { ANALYZER_SPEC, type AnalyzerConfig, loadAnalyzerConfig } from '../analyzer/config.js';
import { host, type InventoryRow, services, type Verification } from '../analyzer/inventory.js';
import { runAnalyzer } from '../analyzer/main.js';
import { type Cidr, parseCidr } from '../analyzer/policy.js';
import { Store } from '../analyzer/store/store.js';
import { runVerifier } from '../analyzer/verify/verifier.js';
import { durationFlag, parseCount, usage } from './args.js';
import { type CsvColumn, toCsv } from './csv.js';
import { isoMs, table } from './format.js';

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

export const SERVICES_HELP = `Usage: porthole services [--json | --csv] [--new-since DUR] [--net CIDR] [--port N] [options]

The service inventory: one line per endpoint with first/last seen, handshakes, clients and state.
  --json            one JSON object per line
  --csv             CSV (RFC 4180): a header row, then one row per endpoint
  --new-since DUR   only endpoints first seen within DUR (e.g. 24h)
  --net CIDR        only addresses in CIDR
  --port N          only port N
${COMMON}
`;

export const HOST_HELP = `Usage: porthole host IP [--json] [options]

One host's endpoints with first/last seen and state, then their per-window history and alerts.
${COMMON}
`;

export const VERIFIER_HELP = `Usage: porthole verifier [options]

Verify every newly exposed or reopened endpoint (from the alerts topic) with nmap -sV, only
inside verify.allowedNetworks, and store the result per endpoint (verified_open,
filtered_to_scanner, closed_now, unverifiable, refused). Options and keys as for
porthole analyzer (verify.* and policy.scannerAddresses).
${COMMON}
  --brokers LIST        Kafka brokers (default 127.0.0.1:9092)
`;

export async function verifierCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: COMMON_OPTS });
  if (values.help) {
    process.stdout.write(VERIFIER_HELP);
    return 0;
  }
  const cfg = config(values);
  return runVerifier(cfg, pino({ level: cfg.logLevel, base: { service: 'porthole-verifier' } }));
}

export const SCHEMA_HELP = `Usage: porthole schema [--database NAME]

Print the ClickHouse DDL generated from schemas/ (what the analyzer creates at start-up).
`;

const COMMON_OPTS = {
  config: { type: 'string' },
  clickhouse: { type: 'string' },
  database: { type: 'string' },
  brokers: { type: 'string' },
  json: { type: 'boolean' },
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

export async function analyzerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: COMMON_OPTS });
  if (values.help) {
    process.stdout.write(ANALYZER_HELP);
    return 0;
  }
  const cfg = config(values);
  return runAnalyzer(cfg, pino({ level: cfg.logLevel, base: { service: 'porthole-analyzer' } }));
}

function verdict(v: Verification | null): string {
  if (!v) return '-';
  const what = [v.service, v.product, v.version].filter(Boolean).join(' ');
  return what ? `${v.status}: ${what}` : v.status;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The columns of `porthole services --csv`: times in ISO 8601 UTC, the latest verification. */
const SERVICE_CSV: CsvColumn<InventoryRow>[] = [
  { name: 'ip', value: (r) => r.ip },
  { name: 'port', value: (r) => r.port },
  { name: 'proto', value: (r) => r.proto },
  { name: 'state', value: (r) => r.state },
  { name: 'first_seen', value: (r) => iso(r.first_seen) },
  { name: 'last_seen', value: (r) => iso(r.last_seen) },
  { name: 'handshakes', value: (r) => r.handshakes },
  { name: 'clients', value: (r) => r.clients },
  { name: 'evidence', value: (r) => r.evidence },
  { name: 'internet_exposed', value: (r) => r.internet_exposed },
  { name: 'sensors', value: (r) => r.sensors.join(' ') },
  { name: 'verification', value: (r) => r.verification?.status },
  { name: 'service', value: (r) => r.verification?.service },
  { name: 'product', value: (r) => r.verification?.product },
  { name: 'version', value: (r) => r.verification?.version },
];

function print(rows: InventoryRow[], json: boolean, csv = false): void {
  if (csv) {
    process.stdout.write(toCsv(rows, SERVICE_CSV));
    return;
  }
  if (json) {
    process.stdout.write(rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
    return;
  }
  if (!rows.length) {
    process.stdout.write('no services\n');
    return;
  }
  process.stdout.write(
    table(
      [
        'IP',
        'PORT',
        'PROTO',
        'STATE',
        'FIRST SEEN (UTC)',
        'LAST SEEN (UTC)',
        'HANDSHAKES',
        'CLIENTS',
        'EVIDENCE',
        'EXPOSED',
        'VERIFICATION',
      ],
      rows.map((r) => [
        r.ip,
        String(r.port),
        r.proto,
        r.state,
        isoMs(r.first_seen),
        isoMs(r.last_seen),
        String(r.handshakes),
        String(r.clients),
        r.evidence,
        r.internet_exposed ? 'internet' : 'internal',
        verdict(r.verification),
      ]),
    ),
  );
}

export async function servicesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_OPTS,
      csv: { type: 'boolean' },
      'new-since': { type: 'string' },
      net: { type: 'string' },
      port: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(SERVICES_HELP);
    return 0;
  }
  if (values.csv && values.json) throw usage('--csv and --json: choose one');
  let net: Cidr | undefined;
  if (values.net) {
    const c = parseCidr(values.net);
    if (!c) throw usage(`--net: not a CIDR: ${JSON.stringify(values.net)}`);
    net = c;
  }
  const port = values.port ? parseCount('--port', values.port) : undefined;
  if (port !== undefined && port > 65535) throw usage('--port: must be 1..65535');
  const newSince = values['new-since'] ? Date.now() - durationFlag('--new-since', values['new-since']) : undefined;
  const store = new Store(config(values).clickhouse);
  try {
    print(await services(store, { net, port, newSince }), !!values.json, !!values.csv);
  } finally {
    await store.close();
  }
  return 0;
}

export async function hostCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: COMMON_OPTS, allowPositionals: true });
  if (values.help) {
    process.stdout.write(HOST_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw usage('host: give exactly one IP address');
  const ip = canonicalIp(positionals[0]);
  if (!ip) throw usage(`host: not an IP address: ${JSON.stringify(positionals[0])}`);
  const store = new Store(config(values).clickhouse);
  try {
    const view = await host(store, ip);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(view)}\n`);
      return 0;
    }
    const { history, verifications, alerts } = view;
    print(view.services, false);
    if (history.length) {
      process.stdout.write(
        '\nhistory:\n' +
          table(
            ['PORT', 'WINDOW (UTC)', 'FIRST SEEN', 'LAST SEEN', 'HANDSHAKES', 'EVIDENCE', 'SENSOR'],
            history.map((h) => [
              String(h.port),
              isoMs(h.window_start),
              isoMs(h.first_seen),
              isoMs(h.last_seen),
              String(h.handshakes),
              h.evidence,
              h.sensor,
            ]),
          ),
      );
    }
    if (verifications.length) {
      process.stdout.write(
        '\nverifications:\n' +
          table(
            ['PORT', 'TIME (UTC)', 'STATUS', 'SERVICE', 'PRODUCT', 'VERSION', 'REASON'],
            verifications.map((v) => [
              String(v.port),
              isoMs(v.ts),
              v.status,
              v.service,
              v.product,
              v.version,
              v.reason,
            ]),
          ),
      );
    }
    if (alerts.length) {
      process.stdout.write(
        '\nalerts:\n' +
          table(
            ['TIME (UTC)', 'KIND', 'SEVERITY', 'MESSAGE'],
            alerts.map((a) => [isoMs(a.ts), a.kind, a.severity, a.message]),
          ),
      );
    }
  } finally {
    await store.close();
  }
  return 0;
}

export async function schemaCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { database: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(SCHEMA_HELP);
    return 0;
  }
  process.stdout.write(schemaSql(values.database ?? 'porthole'));
  return 0;
}
