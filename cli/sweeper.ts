// `porthole sweeper` (runs sweeps: analyzer/sweep/sweeper.ts) and `porthole sweeps` (lists
// sweeps with their progress; `show ID`: one sweep's progress and what it found, classified by
// method). Argument parsing and printing only.

import { parseArgs } from 'node:util';
import { ANALYZER_SPEC, type AnalyzerConfig, loadAnalyzerConfig } from '../analyzer/config.js';
import { requireDatabase } from '../analyzer/store/migrate.js';
import { Store } from '../analyzer/store/store.js';
import { listSweeps, type SweepProgress, showSweep } from '../analyzer/sweep/report.js';
import { runSweeper } from '../analyzer/sweep/sweeper.js';
import { rootLogger } from '../common/logger.js';
import { specHelp } from '../schemas/config-spec.js';
import { parseCount, usage } from './args.js';
import { human, isoMs, num, table } from './format.js';
import { STORE_HELP, STORE_OPTS, storeConfig } from './store-args.js';

/** The keys the sweeper reads (its config file may hold the analyzer's others: all are checked). */
export const SWEEPER_SPEC = ANALYZER_SPEC.filter((s) =>
  /^(clickhouse|sweep|log)\.|^kafka\.(brokers|clientId|sweepTopic|sweepStatusTopic|sweeperGroupId|replicationFactor|minInsyncReplicas|tls|sasl)|^verify\.(allowedNetworks|sourceAddresses|nmapCommand)$|^policy\.(expected|highRiskPorts|homeNetworks)$|^owners\.rules$/.test(
    s.key,
  ),
);

export const SWEEPER_HELP = `Usage: porthole sweeper [options]

Sweep every address of verify.allowedNetworks (never any other) with nmap once per sweep.period,
tuned by the sweep.* keys (docs/sweeps.md). A sweep is cut into address blocks published to the
sweep topic; every sweeper of one group (kafka.sweeperGroupId) takes blocks, and a block is
committed only once its results are stored, so a sweeper that dies loses nothing. Hosts slow in
earlier runs are swept in blocks of their own with sweep.slowHostTimeout. Open ports go into the
inventory (seen by the active method); one the mirror never saw raises a dormant_exposure alert.
It shares the analyzer's config file: every key is checked, the keys below are read.

Options:
  --config FILE         JSON config file (keys below, nested by their dots)
  --clickhouse URL      ClickHouse HTTP URL (default http://127.0.0.1:8123)
  --database NAME       database (default porthole)
  --brokers LIST        Kafka brokers (default 127.0.0.1:9092)
  -h, --help            this help

Configuration keys read (config file, or the environment variable beside each):
${specHelp(SWEEPER_SPEC)}
`;

export async function sweeperCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      clickhouse: { type: 'string' },
      database: { type: 'string' },
      brokers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(SWEEPER_HELP);
    return 0;
  }
  const cfg: AnalyzerConfig = loadAnalyzerConfig({
    file: values.config,
    flags: {
      'clickhouse.url': values.clickhouse,
      'clickhouse.database': values.database,
      'kafka.brokers': values.brokers,
    },
  });
  const logger = await rootLogger({
    level: cfg.logLevel,
    format: cfg.logFormat,
    base: { service: 'porthole-sweeper' },
  });
  return runSweeper(cfg, logger);
}

export const SWEEPS_HELP = `Usage: porthole sweeps [--limit N] [--json] [options]
       porthole sweeps show ID [--json] [options]

The sweeps of porthole sweeper, newest first: blocks done of total, hosts up, ports found, rate
(addresses a second) and when it finished or is expected to. \`show ID\` adds what the sweep
found, each endpoint by method: dormant (open to the sweep, never seen on the mirror), both, or
passive_only (seen on the mirror, filtered or closed to the sweep).
  --limit N         sweeps listed (default 20)
  --json            JSON lines
${STORE_HELP}
`;

function progressRows(ps: SweepProgress[]): string {
  return table(
    ['SWEEP', 'STATE', 'BLOCKS', 'SLOW', 'FAILED', 'HOSTS UP', 'TIMED OUT', 'OPEN', 'RATE/S', 'STARTED', 'FINISH'],
    ps.map((p) => [
      p.sweep_id,
      p.state,
      `${p.blocks_done}/${p.blocks_total}`,
      String(p.slow_blocks),
      String(p.blocks_failed),
      num(p.hosts_up),
      num(p.hosts_timed_out),
      num(p.ports_open),
      String(p.rate),
      isoMs(p.started_at),
      p.finish === null ? '-' : `${isoMs(p.finish)} (${human(p.finish - p.started_at)})`,
    ]),
  );
}

export async function sweepsCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args: argv,
    options: { ...STORE_OPTS, limit: { type: 'string' } },
    allowPositionals: true,
  });
  if (v.help) {
    process.stdout.write(SWEEPS_HELP);
    return 0;
  }
  const [sub, id, ...extra] = positionals;
  if (extra.length || (sub !== undefined && sub !== 'show') || (sub === 'show' && !id))
    throw usage('sweeps: give nothing (the list) or show ID');
  const cfg = storeConfig(v);
  const store = new Store(cfg.clickhouse);
  try {
    await requireDatabase(store);
    if (sub !== 'show') {
      const limit = v.limit === undefined ? 20 : parseCount('--limit', v.limit);
      const ps = await listSweeps(store, limit);
      if (v.json) for (const p of ps) process.stdout.write(`${JSON.stringify(p)}\n`);
      else process.stdout.write(ps.length ? progressRows(ps) : 'no sweeps yet (is porthole sweeper running?)\n');
      return 0;
    }
    const shown = await showSweep(store, id);
    if (!shown) {
      process.stderr.write(`no sweep ${id}\n`);
      return 1;
    }
    const { endpoints: found, ...p } = shown;
    if (v.json) {
      process.stdout.write(`${JSON.stringify(shown)}\n`);
      return 0;
    }
    process.stdout.write(progressRows([p]));
    const count = (c: string) => found.filter((e) => e.class === c).length;
    process.stdout.write(
      `\ndormant ${count('dormant')}, seen by both ${count('both')}, passive only ${count('passive_only')}\n\n`,
    );
    if (found.length)
      process.stdout.write(
        table(
          ['ENDPOINT', 'CLASS', 'SERVICE'],
          found.map((e) => [
            `${e.ip.includes(':') ? `[${e.ip}]` : e.ip}:${e.port}/${e.proto}`,
            e.class,
            e.service || '-',
          ]),
        ),
      );
    return 0;
  } finally {
    await store.close();
  }
}
