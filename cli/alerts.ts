// `porthole alerts`: list alerts with their lifecycle state (filters applied in ClickHouse), show
// one with its history, acknowledge or resolve them (analyzer/alert/lifecycle.ts). Argument
// parsing and printing only; every argument is checked before ClickHouse is touched, so bad
// input changes nothing.

import { ALERT_KINDS } from '../analyzer/rules.js';
import { parseArgs } from 'node:util';
import {
  ALERT_STATES,
  type AlertFilter,
  type AlertState,
  type AlertView,
  changeAlerts,
  listAlerts,
  showAlert,
} from '../analyzer/alert/lifecycle.js';
import { parseCidr } from '../analyzer/policy.js';
import { migrate, requireDatabase } from '../analyzer/store/migrate.js';
import { Store } from '../analyzer/store/store.js';
import { durationFlag, parseCount, usage } from './args.js';
import { isoMs, table } from './format.js';
import { actor, noteOf, STORE_HELP, STORE_OPTS, storeConfig } from './store-args.js';

export const ALERTS_HELP = `Usage: porthole alerts [--since DUR] [--state S] [--severity S] [--kind K] [--net CIDR]
                       [--port N] [--limit N] [--json] [options]
       porthole alerts show ID [--json] [options]
       porthole alerts ack ID [ID...] --note TEXT [--by NAME] [options]
       porthole alerts resolve ID [ID...] --note TEXT [--by NAME] [options]

Alerts, newest first, with their state: open (raised), acknowledged, resolved (by a person, or
by Porthole when the endpoint went stale or was closed when verified). Resolved is final.
  --since DUR       only alerts raised within DUR (e.g. 24h)
  --state S         open, acknowledged or resolved
  --severity S      low, medium or high
  --kind K          ${ALERT_KINDS.join(', ')}
  --net CIDR        only addresses in CIDR
  --port N          only port N
  --limit N         at most N alerts (default 100, at most 10000)
  --json            one JSON object per line, with state, state_at, actor and note
  --note TEXT       why (ack and resolve; required)
  --by NAME         who (default $USER)
${STORE_HELP}
`;

const SEVERITIES = ['low', 'medium', 'high'];
// a page's latest events are read by listing its ids: a page stays a size one query can name
const MAX_LIMIT = 10_000;

const OPTS = {
  ...STORE_OPTS,
  since: { type: 'string' },
  state: { type: 'string' },
  severity: { type: 'string' },
  kind: { type: 'string' },
  net: { type: 'string' },
  port: { type: 'string' },
  limit: { type: 'string' },
  note: { type: 'string' },
  by: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTS; allowPositionals: true }>>['values'];

function filterOf(v: Values): AlertFilter {
  const f: AlertFilter = { limit: v.limit ? parseCount('--limit', v.limit) : 100 };
  if (f.limit > MAX_LIMIT) throw usage(`--limit: at most ${MAX_LIMIT} (narrow the filters instead)`);
  if (v.since) f.sinceMs = Date.now() - durationFlag('--since', v.since);
  if (v.state) {
    if (!(ALERT_STATES as readonly string[]).includes(v.state))
      throw usage(`--state: one of ${ALERT_STATES.join(', ')}, got ${JSON.stringify(v.state)}`);
    f.state = v.state as AlertState;
  }
  if (v.severity) {
    if (!SEVERITIES.includes(v.severity))
      throw usage(`--severity: one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(v.severity)}`);
    f.severity = v.severity;
  }
  if (v.kind) {
    if (!(ALERT_KINDS as readonly string[]).includes(v.kind))
      throw usage(`--kind: not an alert kind: ${JSON.stringify(v.kind)} (one of ${ALERT_KINDS.join(', ')})`);
    f.kind = v.kind;
  }
  if (v.net) {
    const c = parseCidr(v.net);
    if (!c) throw usage(`--net: not a CIDR: ${JSON.stringify(v.net)}`);
    f.net = c;
  }
  if (v.port) {
    const p = /^\d{1,5}$/.test(v.port) ? Number(v.port) : NaN;
    if (!(p >= 1 && p <= 65535)) throw usage(`--port: must be 1..65535, got ${JSON.stringify(v.port)}`);
    f.port = p;
  }
  return f;
}

const jsonLines = (rows: object[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

function printList(rows: AlertView[], json: boolean): void {
  if (json) process.stdout.write(jsonLines(rows));
  else if (!rows.length) process.stdout.write('no alerts\n');
  else
    process.stdout.write(
      table(
        ['TIME (UTC)', 'ID', 'KIND', 'SEVERITY', 'IP', 'PORT', 'STATE', 'MESSAGE'],
        rows.map((a) => [isoMs(a.ts), a.alert_id, a.kind, a.severity, a.ip, String(a.port), a.state, a.message]),
      ),
    );
}

async function show(store: Store, id: string, json: boolean): Promise<void> {
  const a = await showAlert(store, id);
  if (json) {
    process.stdout.write(`${JSON.stringify(a)}\n`);
    return;
  }
  const by = a.state === 'open' ? '' : ` by ${a.actor}${a.note ? `: ${a.note}` : ''}`;
  const lines = [
    ['id', a.alert_id],
    ['kind', a.kind],
    ['severity', a.severity],
    ['endpoint', a.port ? `${a.ip} ${a.proto}/${a.port}` : a.ip || '-'],
    ['raised', `${isoMs(a.ts)} UTC`],
    ['state', `${a.state} since ${isoMs(a.state_at)} UTC${by}`],
    ['message', a.message],
  ];
  process.stdout.write(lines.map(([k, v]) => `${k.padEnd(9)} ${v}\n`).join(''));
  process.stdout.write(
    `\nhistory:\n${table(
      ['TIME (UTC)', 'STATE', 'BY', 'NOTE'],
      a.events.map((e) => [isoMs(e.ts), e.state, e.actor, e.note]),
    )}`,
  );
}

export async function alertsCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTS, allowPositionals: true });
  if (v.help) {
    process.stdout.write(ALERTS_HELP);
    return 0;
  }
  const [sub, ...ids] = positionals;
  const change = sub === 'ack' || sub === 'resolve';
  const filtered = ['since', 'state', 'severity', 'kind', 'net', 'port', 'limit'].filter((k) => k in v);
  let run: (store: Store) => Promise<void>;
  if (change) {
    if (!ids.length) throw usage(`alerts ${sub}: give one or more alert ids`);
    if (filtered.length) throw usage(`alerts ${sub}: --${filtered[0]} is for listing alerts`);
    const note = noteOf(v.note);
    const who = actor(v.by);
    const state = sub === 'ack' ? 'acknowledged' : 'resolved';
    run = async (store) => {
      const rows = await changeAlerts(store, ids, state, who, note);
      process.stdout.write(rows.map((r) => `${state} ${r.alert_id}\n`).join(''));
    };
  } else {
    if (v.note !== undefined || v.by !== undefined) throw usage('--note and --by are for alerts ack and resolve');
    if (sub === 'show') {
      if (ids.length !== 1) throw usage('alerts show: give exactly one alert id');
      if (filtered.length) throw usage(`alerts show: --${filtered[0]} is for listing alerts`);
      run = (store) => show(store, ids[0], !!v.json);
    } else {
      if (sub !== undefined) throw usage(`alerts: unknown subcommand ${JSON.stringify(sub)} (show, ack, resolve)`);
      const f = filterOf(v);
      run = async (store) => printList(await listAlerts(store, f), !!v.json);
    }
  }
  const store = new Store(storeConfig(v).clickhouse);
  try {
    await requireDatabase(store); // a mistyped --database is refused, not created
    await migrate(store); // the tables exist even before an analyzer of this version has started
    await run(store);
  } finally {
    await store.close();
  }
  return 0;
}
