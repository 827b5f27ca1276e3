// `porthole services` and `porthole host IP`: argument parsing and printing only; what they show
// comes from analyzer/inventory.ts. A table shows one page (--limit, then --after the cursor
// printed below it); --json streams every matching row unless --limit is given.

import { parseArgs } from 'node:util';
import { canonicalIp } from '../schemas/ip.js';
import {
  forEachService,
  host,
  HOST_HISTORY_DAYS,
  type InventoryRow,
  parseCursor,
  type ReadContext,
  services,
  type ServicesFilter,
  SHOWN_STATES,
  type Verification,
} from '../analyzer/inventory.js';
import { loadStoredRules } from '../analyzer/expected.js';
import type { Rule } from '../analyzer/expected-rules.js';
import { requireInventory } from '../analyzer/store/migrate.js';
import { parseCidr } from '../analyzer/policy.js';
import { Store } from '../analyzer/store/store.js';
import { DAY_MS } from '../common/time.js';
import { durationFlag, parseCount, usage } from './args.js';
import { csvHeader, csvRows } from '../common/csv.js';
import { SERVICE_CSV } from '../analyzer/inventory-csv.js';
import { human, isoMs, num, table } from './format.js';
import { STORE_HELP, STORE_OPTS, storeConfig } from './store-args.js';

export const SERVICES_HELP = `Usage: porthole services [filters] [--json] [--limit N] [--after CURSOR] [options]

The service inventory: one line per endpoint with its state, since when it is exposed, first and
last seen, handshakes, distinct clients (internal/internet, estimated) and verification.
Filters (all combine):
  --net CIDR        only addresses in CIDR
  --port N          only port N
  --state LIST      only these states (${SHOWN_STATES.join(', ')}), comma-separated
  --new-since DUR   only endpoints first seen within DUR (e.g. 24h)
  --internet        only endpoints that internet clients reached
Output:
  --json            one JSON object per line, every matching endpoint (streamed) unless --limit
  --csv             CSV (RFC 4180): a header row, then every matching endpoint unless --limit
  --limit N         at most N rows (default 1000 for the table)
  --after CURSOR    the page after CURSOR (printed under a full table page)
${STORE_HELP}
`;

export const HOST_HELP = `Usage: porthole host IP [--json] [options]

One host: its endpoints, exposure intervals (open since / closed when and why), the last
${HOST_HISTORY_DAYS} days of handshakes per port, verifications and its last alerts. When several
sensors saw it: each one's own handshakes and windows over those days (the inventory counts a
window once, with the highest count any sensor reported).
  --json            all of it as one JSON object
${STORE_HELP}
`;

/** The store and what reading needs from policy (owners, expected services, high-risk ports). */
async function open(values: { config?: string; clickhouse?: string; database?: string }): Promise<{
  store: Store;
  ctx: ReadContext;
}> {
  const cfg = storeConfig(values);
  const store = new Store(cfg.clickhouse);
  let stored: Rule[];
  try {
    await requireInventory(store);
    stored = await loadStoredRules(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  const p = cfg.policy;
  return { store, ctx: { owners: p.owners, expected: [...p.expected, ...stored], highRiskPorts: p.highRiskPorts } };
}

function verdict(v: Verification | null): string {
  if (!v) return '-';
  const what = [v.service, v.product, v.version].filter(Boolean).join(' ');
  return what ? `${v.status}: ${what}` : v.status;
}

function printTable(rows: InventoryRow[]): void {
  // the owner column only when owners.rules name someone
  const owners = rows.some((r) => r.owner !== '');
  const header = [
    'IP',
    'PORT',
    'PROTO',
    'STATE',
    'EXPOSED SINCE (UTC)',
    'LAST SEEN (UTC)',
    'HANDSHAKES',
    'CLIENTS INT/NET',
    'EVIDENCE',
    'VERIFICATION',
    ...(owners ? ['OWNER'] : []),
  ];
  process.stdout.write(
    table(
      header,
      rows.map((r) => [
        r.ip,
        String(r.port),
        r.proto,
        r.state,
        r.exposed_since === null
          ? r.closed_at === null
            ? '-'
            : `closed ${isoMs(r.closed_at)}`
          : isoMs(r.exposed_since),
        isoMs(r.last_seen),
        num(r.handshakes),
        `${num(r.audience.internal)}/${num(r.audience.internet)}`,
        r.evidence,
        verdict(r.verification),
        ...(owners ? [r.owner || '-'] : []),
      ]),
    ),
  );
}

function filterOf(values: Record<string, string | boolean | undefined>): ServicesFilter {
  const f: ServicesFilter = {};
  if (typeof values.net === 'string') {
    const c = parseCidr(values.net);
    if (!c) throw usage(`--net: not a CIDR: ${JSON.stringify(values.net)}`);
    f.net = c;
  }
  if (typeof values.port === 'string') {
    f.port = parseCount('--port', values.port);
    if (f.port > 65535) throw usage('--port: must be 1..65535');
  }
  if (typeof values.state === 'string') {
    f.states = values.state.split(',').map((x) => x.trim());
    const bad = f.states.find((x) => !(SHOWN_STATES as readonly string[]).includes(x));
    if (bad !== undefined)
      throw usage(`--state: unknown state ${JSON.stringify(bad)} (one of ${SHOWN_STATES.join(', ')})`);
  }
  if (typeof values['new-since'] === 'string')
    f.newSince = Date.now() - durationFlag('--new-since', values['new-since']);
  if (values.internet) f.internet = true;
  if (typeof values.after === 'string') {
    if (!parseCursor(values.after))
      throw usage(`--after: not a cursor printed by porthole services: ${JSON.stringify(values.after)}`);
    f.after = values.after;
  }
  return f;
}

const DEFAULT_PAGE = 1000;

async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise((r) => process.stdout.once('drain', r));
}

export async function servicesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...STORE_OPTS,
      'new-since': { type: 'string' },
      net: { type: 'string' },
      port: { type: 'string' },
      state: { type: 'string' },
      internet: { type: 'boolean' },
      limit: { type: 'string' },
      after: { type: 'string' },
      csv: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(SERVICES_HELP);
    return 0;
  }
  if (values.csv && values.json) throw usage('--csv and --json: choose one');
  const filter = filterOf(values);
  const limit = values.limit === undefined ? undefined : parseCount('--limit', values.limit);
  const { store, ctx } = await open(values);
  try {
    const csv = (rows: InventoryRow[]) => csvRows(rows, SERVICE_CSV);
    const json = (rows: InventoryRow[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    const format = values.csv ? csv : values.json ? json : null;
    if (format) {
      if (values.csv) await write(csvHeader(SERVICE_CSV));
      if (limit === undefined) await forEachService(store, filter, (rows) => write(format(rows)), undefined, ctx);
      else await write(format(await services(store, filter, limit, ctx)));
      return 0;
    }
    // one row more than the page says whether there is a next page
    const page = limit ?? DEFAULT_PAGE;
    const rows = await services(store, filter, page + 1, ctx);
    const more = rows.length > page;
    if (more) rows.length = page;
    if (!rows.length) {
      process.stdout.write(filter.after ? 'no more services\n' : 'no services\n');
      return 0;
    }
    printTable(rows);
    if (more) process.stderr.write(`more: porthole services … --after ${rows[rows.length - 1].cursor}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per day, its height the day's handshakes relative to the busiest day. */
export function sparkline(values: number[]): string {
  const max = Math.max(...values);
  return values.map((v) => (v === 0 ? '·' : BARS[max === 0 ? 0 : Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

export async function hostCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: STORE_OPTS, allowPositionals: true });
  if (values.help) {
    process.stdout.write(HOST_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw usage('host: give exactly one IP address');
  const canonical = canonicalIp(positionals[0]);
  if (!canonical) throw usage(`host: not an IP address: ${JSON.stringify(positionals[0])}`);
  // an IPv4-mapped IPv6 address is the IPv4 host (as sensors report it)
  const ip = /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(canonical) ? canonical.slice(7) : canonical;
  const { store, ctx } = await open(values);
  try {
    const now = Date.now();
    const view = await host(store, ip, now, ctx);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(view)}\n`);
      return 0;
    }
    if (!view.services.length) {
      process.stdout.write(`no services seen on ${ip}\n`);
      return 0;
    }
    printTable(view.services);
    const out = (title: string, body: string): void => void process.stdout.write(`\n${title}:\n${body}`);
    if (view.intervals.length)
      out(
        'exposure',
        table(
          ['PORT', 'FROM (UTC)', 'TO (UTC)', 'FOR', 'OPENED BY', 'ENDED BY'],
          view.intervals.map((i) => [
            String(i.port),
            isoMs(i.start),
            i.end === null ? 'open' : isoMs(i.end),
            human((i.end ?? now) - i.start),
            i.opened_by,
            i.ended_by ?? '-',
          ]),
        ),
      );
    if (view.history.length) {
      const first = Math.floor(now / DAY_MS) * DAY_MS - (HOST_HISTORY_DAYS - 1) * DAY_MS;
      const byPort = new Map<string, number[]>();
      for (const h of view.history) {
        const k = `${h.port}/${h.proto}`;
        const days = byPort.get(k) ?? new Array<number>(HOST_HISTORY_DAYS).fill(0);
        const i = Math.round((h.day - first) / DAY_MS);
        if (i >= 0 && i < days.length) days[i] += h.handshakes;
        byPort.set(k, days);
      }
      out(
        `handshakes per day, last ${HOST_HISTORY_DAYS} days (oldest left)`,
        table(
          ['PORT', 'DAYS', 'TOTAL'],
          [...byPort].map(([k, days]) => [k, sparkline(days), num(days.reduce((a, b) => a + b, 0))]),
        ),
      );
    }
    if (new Set(view.by_sensor.map((f) => f.sensor)).size > 1)
      out(
        `per sensor, last ${HOST_HISTORY_DAYS} days`,
        table(
          ['PORT', 'SENSOR', 'HANDSHAKES', 'WINDOWS', 'LAST SEEN (UTC)'],
          view.by_sensor.map((f) => [
            `${f.port}/${f.proto}`,
            f.sensor,
            num(f.handshakes),
            num(f.windows),
            isoMs(f.last_seen),
          ]),
        ),
      );
    if (view.verifications.length)
      out(
        'verifications',
        table(
          ['PORT', 'TIME (UTC)', 'STATUS', 'SERVICE', 'PRODUCT', 'VERSION', 'REASON'],
          view.verifications.map((v) => [
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
    if (view.alerts.length)
      out(
        'alerts (newest last)',
        table(
          ['TIME (UTC)', 'KIND', 'SEVERITY', 'MESSAGE'],
          view.alerts.map((a) => [isoMs(a.ts), a.kind, a.severity, a.message]),
        ),
      );
  } finally {
    await store.close();
  }
  return 0;
}
