// `porthole status`: what `porthole up` runs, from its state file, with each part's rate from its
// metrics. Exit 0 while up runs, 3 when it does not (as deploy/local.sh status and systemctl).

import { parseArgs } from 'node:util';
import { partRates } from '../up/part-rates.js';
import { defaultStatePath, type PartState, readState, upRunning } from '../up/state.js';
import { human, isoMs, num, table } from './format.js';

export const STATUS_HELP = `Usage: porthole status [--state FILE] [--json]

What porthole up runs: whether it runs, the local Kafka and ClickHouse and who started them,
the console's URL, and per part its state, pid, uptime, restarts, its rate now (read from its
metrics over one second) and its last error.

Options:
  --state FILE    up's state file (default $PORTHOLE_HOME/up.json)
  --json          one JSON object: the state file and the rates
  -h, --help      this help
`;

const NOT_RUNNING = 3;

const SERVICE_TEXT = {
  external: 'as configured (not local)',
  running: 'local, running already',
  started: 'local, started by up',
};

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { state: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(STATUS_HELP);
    return 0;
  }
  const path = values.state ?? defaultStatePath();
  const s = readState(path);
  if (!s) {
    process.stderr.write(`porthole: no state of porthole up in ${path} (is it running? --state names another file)\n`);
    return NOT_RUNNING;
  }
  const running = upRunning(s);
  const live = running ? s.parts.filter((p) => p.state === 'running') : [];
  const rates = await partRates(live);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...s, running, rates: Object.fromEntries(rates) })}\n`);
    return running ? 0 : NOT_RUNNING;
  }
  const now = Date.now();
  const head = running
    ? `porthole up: running (pid ${s.pid}) since ${isoMs(s.startedAt)} UTC (${human(now - s.startedAt)})`
    : `porthole up: not running (last state ${isoMs(s.stoppedAt ?? s.updatedAt)} UTC)`;
  const lines = [head];
  for (const [name, how] of Object.entries(s.services)) lines.push(`  ${name}: ${SERVICE_TEXT[how]}`);
  if (s.console && running) lines.push(`  console: ${s.console}`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const rows = s.parts.map((p) => {
    const r = rates.get(p.name);
    return [
      p.name,
      running ? p.state : p.state === 'running' ? 'gone' : p.state,
      p.pid === null || !running ? '-' : String(p.pid),
      p.state === 'running' && p.startedAt && running ? human(now - p.startedAt) : '-',
      String(p.restarts),
      r ? `${rate(r.perSecond)} ${r.unit}/s (${num(r.total)})` : '-',
      lastError(p),
    ];
  });
  process.stdout.write(table(['PART', 'STATE', 'PID', 'UP', 'RESTARTS', 'RATE (TOTAL)', 'LAST ERROR'], rows));
  return running ? 0 : NOT_RUNNING;
}

function rate(n: number): string {
  return n >= 100 ? num(n) : n.toFixed(1);
}

/** The last error line, or how it last died. */
function lastError(p: PartState): string {
  if (!p.lastError) return '-';
  return p.lastError.length > 100 ? `${p.lastError.slice(0, 99)}…` : p.lastError;
}
