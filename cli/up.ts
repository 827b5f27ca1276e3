// `porthole up`: options -> checked configs -> the whole system on one box until SIGTERM/SIGINT.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadAnalyzerConfig } from '../analyzer/config.js';
import { systemErrorText } from '../common/errors.js';
import { prettyLogs } from '../common/logger.js';
import { loadConsoleConfig } from '../console/config.js';
import { loadSensorConfig } from '../sensor/config.js';
import { createLogLines, type LogLines } from '../up/log-lines.js';
import { portholeCommand } from '../up/porthole-command.js';
import { defaultStatePath } from '../up/state.js';
import { startSystem } from '../up/system.js';
import { usage } from './args.js';

export const UP_HELP = `Usage: porthole up [--iface IF[,IF...] | --pcap FILE] [options]

Run the whole system on one box: the local Kafka and ClickHouse (deploy/local.sh) when the
configuration names them and they are down, then the analyzer, the verifier, the console and,
with an interface, a capture file or sFlow (capture.sflow in --sensor-config), the sensor,
each a child process restarted when it dies (with backoff; restarts counted). One log on
stdout: readable lines on a terminal, JSON lines otherwise. SIGTERM, Ctrl-C or a closed
terminal (SIGHUP) stops the sensor first (it flushes to Kafka), then the analyzer, the verifier
and the console, then the local services it started. porthole status shows each part (exit 3
when up is not running). Without --iface or --pcap no sensor runs: the console and the
inventory commands still work. The console needs an account: porthole users add NAME --role
admin. For production, the systemd units run each part on its own (docs/operations.md).

Options:
  --iface IF[,IF...]      capture on these interfaces (the sensor's capture.iface)
  --pcap FILE             read this capture file once instead (pcap or pcapng)
  --prepare-mirror        first make the interfaces capture-only ports as porthole
                          prepare-mirror does (it flushes their addresses: never give a
                          management interface); needs root
  --config FILE           the analyzer's config file (the verifier and the console read it too)
  --sensor-config FILE    the sensor's config file
  --verifier-config FILE  the verifier's, when it has its own (default: --config)
  --database NAME         ClickHouse database of the analyzer, verifier and console
  --no-verifier           do not run the verifier
  --no-console            do not run the console
  --no-local              never start the local Kafka and ClickHouse
  --state FILE            state file for porthole status (default $PORTHOLE_HOME/up.json)
  -h, --help              this help
`;

export async function upCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      iface: { type: 'string' },
      pcap: { type: 'string' },
      'prepare-mirror': { type: 'boolean' },
      config: { type: 'string' },
      'sensor-config': { type: 'string' },
      'verifier-config': { type: 'string' },
      database: { type: 'string' },
      'no-verifier': { type: 'boolean' },
      'no-console': { type: 'boolean' },
      'no-local': { type: 'boolean' },
      state: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(UP_HELP);
    return 0;
  }
  // every config checked before anything starts: a problem is one line and exit 2, as each part would say
  const sensor = loadSensorConfig({
    file: values['sensor-config'],
    flags: values.pcap ? { 'capture.iface': '', 'capture.pcap': values.pcap } : { 'capture.iface': values.iface },
    needSource: false,
  });
  // a capture file the sensor cannot open would only be retried: refused here
  if (sensor.capture.pcap) {
    try {
      accessSync(sensor.capture.pcap, constants.R_OK);
    } catch (err) {
      throw usage(`--pcap ${sensor.capture.pcap}: ${systemErrorText(err)}`);
    }
  }
  const dbFlag = { 'clickhouse.database': values.database };
  const analyzer = loadAnalyzerConfig({ file: values.config, flags: dbFlag });
  if (values['verifier-config']) loadAnalyzerConfig({ file: values['verifier-config'], flags: dbFlag });
  if (!values['no-console']) loadConsoleConfig({ file: values.config, flags: dbFlag });

  const tty = process.stdout.isTTY === true;
  const log = createLogLines({
    pretty: prettyLogs(analyzer.logFormat, tty),
    colorize: tty,
    write: (t) => process.stdout.write(t),
  });
  const abort = new AbortController();
  // the first signal stops the parts in order; a later one is told to wait for that (up gone,
  // the parts would run on in their own process groups)
  const stopAsked = new Promise<string>((resolve) => {
    const on = (sig: string): void => {
      if (abort.signal.aborted) {
        log.own('warn', `${sig}: stopping already, the parts one after the other`);
        return;
      }
      abort.abort();
      resolve(sig);
    };
    process.on('SIGTERM', () => on('SIGTERM'));
    process.on('SIGINT', () => on('SIGINT'));
    // a closed terminal or SSH session: the parts, in their own process groups, would be orphaned
    process.on('SIGHUP', () => on('SIGHUP'));
  });
  const parts = {
    porthole: portholeCommand(),
    sensorConfig: values['sensor-config'] ?? null,
    config: values.config ?? null,
    verifierConfig: values['verifier-config'] ?? null,
    database: values.database ?? null,
  };
  const sys = await startSystem(
    {
      parts,
      brokers: [...new Set([...sensor.kafka.brokers, ...analyzer.kafka.brokers])],
      clickhouseUrl: analyzer.clickhouse.url,
      startLocal: !values['no-local'],
      statePath: values.state ?? defaultStatePath(),
      log,
      verifier: !values['no-verifier'],
      console: !values['no-console'],
    },
    abort.signal,
  );
  if (!sys) return 0;
  const ifaces = sensor.capture.ifaces;
  if (values['prepare-mirror'] && ifaces.length && !abort.signal.aborted) {
    const code = await run(log, 'prepare', [...parts.porthole, 'prepare-mirror', ifaces.join(',')]);
    if (code !== 0) {
      log.own('error', `prepare-mirror ${ifaces.join(',')} failed (exit ${code}): stopping`);
      await sys.stop();
      return 1;
    }
  }
  if (ifaces.length || sensor.capture.pcap || sensor.capture.sflow) {
    if (!abort.signal.aborted) sys.startSensor({ ifaces, pcap: sensor.capture.pcap }, sensor.publish.flushTimeoutMs);
  } else
    log.own(
      'info',
      'no sensor: give --iface IF (a mirror port) or --pcap FILE to capture (or capture.sflow in --sensor-config)',
    );
  const why = await Promise.race([stopAsked, sys.refused.then((part) => ({ part }))]);
  if (typeof why === 'string') log.own('info', `${why}: stopping (sensor first)`);
  else log.own('error', `${why.part} was refused its configuration or credentials: stopping everything`);
  await sys.stop();
  log.own('info', 'stopped');
  return typeof why === 'string' ? 0 : 2;
}

/** Run a one-shot command, its lines into the log under `part`; its exit status. */
function run(log: LogLines, part: string, command: string[]): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of ['stdout', 'stderr'] as const)
      createInterface({ input: c[stream] }).on('line', (l) => log.fromChild(part, stream, l));
    c.on('error', () => resolve(1));
    c.on('close', (code) => resolve(code ?? 1));
  });
}
