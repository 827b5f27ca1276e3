// The `porthole` command: dispatches subcommands and turns errors into one-line messages with
// an exit status (1 runtime, 2 usage). Wiring only.

import { readFileSync } from 'node:fs';
import { SensorError } from '../sensor/errors.js';
import { REPLAY_HELP, replayCommand } from './replay.js';
import { SENSOR_HELP, sensorCommand } from './sensor.js';
import { PREPARE_HELP, prepareMirrorCommand } from './prepare-mirror.js';
import {
  ANALYZER_HELP, analyzerCommand, HOST_HELP, hostCommand, SCHEMA_HELP, schemaCommand, SERVICES_HELP, servicesCommand,
  VERIFIER_HELP, verifierCommand,
} from './analyzer.js';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; summary: string; help: string }> = {
  replay: { run: replayCommand, summary: 'find service endpoints in capture files', help: REPLAY_HELP },
  sensor: { run: sensorCommand, summary: 'capture on a mirror port and publish to Kafka', help: SENSOR_HELP },
  'prepare-mirror': { run: prepareMirrorCommand, summary: 'set up an interface as a capture-only mirror port', help: PREPARE_HELP },
  analyzer: { run: analyzerCommand, summary: 'consume Observations into the ClickHouse inventory; alert', help: ANALYZER_HELP },
  verifier: { run: verifierCommand, summary: 'verify newly exposed endpoints with nmap -sV', help: VERIFIER_HELP },
  services: { run: servicesCommand, summary: 'list the service inventory', help: SERVICES_HELP },
  host: { run: hostCommand, summary: "one host's services, history and alerts", help: HOST_HELP },
  schema: { run: schemaCommand, summary: 'print the ClickHouse DDL', help: SCHEMA_HELP },
};

function mainHelp(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(15)} ${c.summary}`);
  return `Usage: porthole <command> [options]

Porthole watches mirrored traffic and reports TCP services that accept connections.

Commands:
${lines.join('\n')}
  help CMD        help for one command

Run "porthole <command> --help" for a command's options.
`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  let code: number;
  try {
    if (!cmd || cmd === '-h' || cmd === '--help') {
      process.stdout.write(mainHelp());
      code = cmd ? 0 : 2;
    } else if (cmd === '--version' || cmd === '-V') {
      process.stdout.write(`${version()}\n`);
      code = 0;
    } else if (cmd === 'help') {
      const c = rest[0] ? COMMANDS[rest[0]] : undefined;
      process.stdout.write(c ? c.help : mainHelp());
      code = c || !rest[0] ? 0 : 2;
    } else if (COMMANDS[cmd]) {
      code = await COMMANDS[cmd].run(rest);
    } else {
      process.stderr.write(`porthole: unknown command "${cmd}" (see porthole --help)\n`);
      code = 2;
    }
  } catch (err) {
    code = report(err);
  }
  process.exitCode = code;
}

function report(err: unknown): number {
  const e = err as { code?: string; message?: string; retriable?: unknown };
  // every error Porthole raises on purpose has a code and says whether retrying helps
  if (err instanceof SensorError || (err instanceof Error && typeof e.code === 'string' && typeof e.retriable === 'boolean')) {
    process.stderr.write(`porthole: ${e.message}\n`);
    return e.code === 'USAGE' || e.code === 'CONFIG_INVALID' ? 2 : 1;
  }
  if (e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`porthole: ${e.message}\n`);
    return 2;
  }
  process.stderr.write(`porthole: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 70;
}
