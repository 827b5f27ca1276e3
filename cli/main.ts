// The `porthole` command: dispatches subcommands and turns every error into one line on stderr
// with an exit status (1 runtime, 2 usage or configuration, 70 a bug). Wiring only.

import { availableParallelism } from 'node:os';
import { exitStatusOf, PortholeError, systemErrorText } from '../common/errors.js';
import { portholeVersion } from '../common/version.js';
import { argsErrorText } from './args.js';
import { refuseSecretArgs } from './secret-flags.js';
// Each command's module is loaded only when that command runs (or its help is asked for), so
// `porthole replay` does not pay for loading kafkajs, pino and the ClickHouse client.
type Run = (argv: string[]) => Promise<number>;
interface Command {
  summary: string;
  load: () => Promise<{ run: Run; help: string }>;
}

function command<M>(summary: string, load: () => Promise<M>, pick: (m: M) => [Run, string]): Command {
  return {
    summary,
    load: async () => {
      const [run, help] = pick(await load());
      return { run, help };
    },
  };
}

const analyzer = () => import('./analyzer.js');
const inventory = () => import('./inventory.js');

const COMMANDS: Record<string, Command> = {
  replay: command(
    'find service endpoints in capture files',
    () => import('./replay.js'),
    (m) => [m.replayCommand, m.REPLAY_HELP],
  ),
  sensor: command(
    'capture on a mirror port and publish to Kafka',
    () => import('./sensor.js'),
    (m) => [m.sensorCommand, m.SENSOR_HELP],
  ),
  'prepare-mirror': command(
    'set up an interface as a capture-only mirror port',
    () => import('./prepare-mirror.js'),
    (m) => [m.prepareMirrorCommand, m.PREPARE_HELP],
  ),
  analyzer: command('consume Observations into the ClickHouse inventory; alert', analyzer, (m) => [
    m.analyzerCommand,
    m.ANALYZER_HELP,
  ]),
  verifier: command('verify newly exposed endpoints with nmap -sV', analyzer, (m) => [
    m.verifierCommand,
    m.VERIFIER_HELP,
  ]),
  verify: command(
    'verify endpoints with nmap now (porthole verifier does it)',
    () => import('./verify.js'),
    (m) => [m.verifyCommand, m.VERIFY_HELP],
  ),
  sweeper: command(
    'sweep the allowed networks with nmap on a schedule (several share the work)',
    () => import('./sweeper.js'),
    (m) => [m.sweeperCommand, m.SWEEPER_HELP],
  ),
  sweeps: command(
    'list sweeps and their progress; show one with what it found',
    () => import('./sweeper.js'),
    (m) => [m.sweepsCommand, m.SWEEPS_HELP],
  ),
  services: command('list the service inventory', inventory, (m) => [m.servicesCommand, m.SERVICES_HELP]),
  host: command("one host's services, exposure history and alerts", inventory, (m) => [m.hostCommand, m.HOST_HELP]),
  schema: command('print the ClickHouse DDL', analyzer, (m) => [m.schemaCommand, m.SCHEMA_HELP]),
  alerts: command(
    'list, show, acknowledge and resolve alerts',
    () => import('./alerts.js'),
    (m) => [m.alertsCommand, m.ALERTS_HELP],
  ),
  report: command(
    'how long exposures stayed open, per owner',
    () => import('./report.js'),
    (m) => [m.reportCommand, m.REPORT_HELP],
  ),
  console: command(
    'serve the web console and the HTTP API',
    () => import('./console.js'),
    (m) => [m.consoleCommand, m.CONSOLE_HELP],
  ),
  users: command(
    'add and change console accounts',
    () => import('./console.js'),
    (m) => [m.usersCommand, m.USERS_HELP],
  ),
  up: command(
    'run the whole system on one box (local services, every part, restarts)',
    () => import('./up.js'),
    (m) => [m.upCommand, m.UP_HELP],
  ),
  status: command(
    'what porthole up runs: each part, its restarts, rate and last error',
    () => import('./status.js'),
    (m) => [m.statusCommand, m.STATUS_HELP],
  ),
  demo: command(
    'a one-minute story through the real pipeline, in a throwaway database',
    () => import('./demo.js'),
    (m) => [m.demoCommand, m.DEMO_HELP],
  ),
  expect: command(
    'add, remove and list expected services (no alert)',
    () => import('./expect.js'),
    (m) => [m.expectCommand, m.EXPECT_HELP],
  ),
};

// Commands that end the process as soon as their output is flushed: replay, without tearing
// down the heap (a large replay's heap takes measurable time to unmap; see
// benchmarks/README.md), and the long-running ones, whose Kafka client may leave a reconnect
// timer behind when their stop gave up waiting for it (KAFKA_STOP_WAIT_MS), and up and demo,
// once their parts are stopped.
const EXIT_AT_ONCE = new Set(['replay', 'sensor', 'analyzer', 'verifier', 'sweeper', 'console', 'up', 'demo']);

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

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  let code: number;
  try {
    if (!cmd || cmd === '-h' || cmd === '--help') {
      process.stdout.write(mainHelp());
      code = cmd ? 0 : 2;
    } else if (cmd === '--version' || cmd === '-V') {
      process.stdout.write(`${portholeVersion()}\n`);
      code = 0;
    } else if (cmd === 'help') {
      const c = rest[0] ? COMMANDS[rest[0]] : undefined;
      process.stdout.write(c ? (await c.load()).help : mainHelp());
      code = c || !rest[0] ? 0 : 2;
    } else if (COMMANDS[cmd]) {
      refuseSecretArgs(rest);
      if (cmd === 'replay' && availableParallelism() >= 2 && !rest.includes('-h') && !rest.includes('--help')) {
        // replay's tracking thread starts loading while replay's own modules load (a one-thread
        // replay stops it)
        (await import('../sensor/pipeline/prestart.js')).prestartTrackerThread();
      }
      code = await (await COMMANDS[cmd].load()).run(rest);
    } else {
      process.stderr.write(`porthole: unknown command "${cmd}" (see porthole --help)\n`);
      code = 2;
    }
  } catch (err) {
    code = report(err, cmd, rest);
  }
  process.exitCode = code;
  if (EXIT_AT_ONCE.has(cmd)) {
    // an empty write's callback runs once everything written before it is flushed
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  }
}

function report(err: unknown, cmd: string, argv: string[]): number {
  const say = (msg: string): void => {
    process.stderr.write(`porthole: ${msg.trim().replace(/\s*\n\s*/g, '; ')}\n`);
  };
  // every error Porthole raises on purpose is a PortholeError: its message is meant for the user
  if (err instanceof PortholeError) {
    say(err.message);
    return exitStatusOf(err);
  }
  const args = argsErrorText(err, cmd, argv);
  if (args !== null) {
    say(args);
    return 2;
  }
  // a system call that failed (a file, a socket) outside the paths that name it themselves
  const e = err as { code?: unknown; path?: unknown; address?: unknown; port?: unknown } | null;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    const what = typeof e.path === 'string' ? `${e.path}: ` : e.address ? `${e.address}:${e.port ?? ''}: ` : '';
    say(`${what}${systemErrorText(err)}`);
    return 1;
  }
  // a bug: one line, the stack only on request
  const debug = process.env.PORTHOLE_DEBUG === '1';
  say(`internal error: ${(err as Error)?.message ?? String(err)}${debug ? '' : ' (PORTHOLE_DEBUG=1 shows where)'}`);
  if (debug) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return 70;
}
