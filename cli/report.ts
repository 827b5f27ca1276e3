// `porthole report`: lifecycle figures per owner (analyzer/report.ts), as a table or JSON.

import { parseArgs } from 'node:util';
import { figures, lifecycles, type Spread } from '../analyzer/report.js';
import { requireInventory } from '../analyzer/store/migrate.js';
import { Store } from '../analyzer/store/store.js';
import { DAY_MS } from '../common/time.js';
import { durationFlag } from './args.js';
import { human, num, table } from './format.js';
import { STORE_HELP, STORE_OPTS, storeConfig } from './store-args.js';

export const REPORT_HELP = `Usage: porthole report [--since DUR] [--json] [options]

How long exposures stayed open, per owner (team): for the new and reopened service alerts raised
within --since (default 30d), the median and 90th percentile time from the exposure's start (its
first SYN+ACK) to the alert, to the first acknowledgement, and to its close (the exposure ended,
or the alert was resolved).
  --since DUR       the period (default 30d)
  --json            one JSON object per owner
${STORE_HELP}
`;

const cell = (s: Spread): string => (s.n ? `${human(s.median_ms)} / ${human(s.p90_ms)} (${num(s.n)})` : '-');

export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...STORE_OPTS, since: { type: 'string' } } });
  if (values.help) {
    process.stdout.write(REPORT_HELP);
    return 0;
  }
  const since = Date.now() - (values.since === undefined ? 30 * DAY_MS : durationFlag('--since', values.since));
  const store = new Store(storeConfig(values).clickhouse);
  try {
    await requireInventory(store);
    const rows = figures(await lifecycles(store, since));
    if (values.json) {
      process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      return 0;
    }
    if (!rows.length) {
      process.stdout.write('no exposure alerts in that period\n');
      return 0;
    }
    process.stdout.write(
      `${table(
        ['OWNER', 'ALERTS', 'OPEN', 'START→ALERT', 'START→ACK', 'START→CLOSE'],
        rows.map((r) => [
          r.owner || '(none)',
          num(r.alerts),
          num(r.open),
          cell(r.start_to_alert),
          cell(r.start_to_ack),
          cell(r.start_to_close),
        ]),
      )}median / 90th percentile (alerts with that step)\n`,
    );
  } finally {
    await store.close();
  }
  return 0;
}
