// What every command that only reads or changes ClickHouse shares: its options (--config,
// --clickhouse, --database, --json, --help), their help lines, the configuration they resolve
// (validated as for the analyzer), and who a change is recorded as.

import { userInfo } from 'node:os';
import { ANALYZER_SPEC, type AnalyzerConfig, loadAnalyzerConfig } from '../analyzer/config.js';
import { specHelp } from '../schemas/config-spec.js';
import { usage } from './args.js';

export const STORE_OPTS = {
  config: { type: 'string' },
  clickhouse: { type: 'string' },
  database: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The analyzer's keys these commands read: the server, and what a row shows (owner, expected, risk). */
const READ_KEYS = /^clickhouse\.|^owners\.rules$|^policy\.(expected|highRiskPorts)$/;

export const STORE_HELP = `  --config FILE     JSON config file (the analyzer's: the keys below are read, all are checked)
  --clickhouse URL  ClickHouse HTTP URL (default http://127.0.0.1:8123)
  --database NAME   database (default porthole)
  -h, --help        this help

Configuration keys read (config file, or the environment variable beside each):
${specHelp(ANALYZER_SPEC.filter((s) => READ_KEYS.test(s.key)))}`;

export function storeConfig(values: { config?: string; clickhouse?: string; database?: string }): AnalyzerConfig {
  return loadAnalyzerConfig({
    file: values.config,
    flags: { 'clickhouse.url': values.clickhouse, 'clickhouse.database': values.database },
    secrets: false, // these commands reach ClickHouse only: Kafka's and the webhooks' secrets stay unread
  });
}

/** Who a change is recorded as: --by, else $USER, else the OS user name. */
export function actor(by: string | undefined): string {
  const name = (by ?? process.env.USER ?? userInfo().username).trim();
  if (!name) throw usage('--by: give a name');
  return name;
}

/** The --note of a change: required, one line. */
export function noteOf(note: string | undefined): string {
  const n = note?.trim() ?? '';
  if (!n) throw usage('--note TEXT is required: say why');
  if (/[\r\n]/.test(n)) throw usage('--note: one line');
  return n;
}
