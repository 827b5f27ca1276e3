// `porthole expect`: add, remove and list the expected services stored in ClickHouse, and print
// their audit trail (analyzer/expected.ts). Running analyzers pick changes up within
// policy.rulesRefresh. Argument parsing and printing only; a malformed rule is refused before
// ClickHouse is touched.

import { parseArgs } from 'node:util';
import { addRule, removeRule, rulesInForce } from '../analyzer/expected.js';
import { parseRule, type Rule } from '../analyzer/expected-rules.js';
import { auditRows } from '../analyzer/store/expected-rules.js';
import { migrate, requireDatabase } from '../analyzer/store/migrate.js';
import { Store } from '../analyzer/store/store.js';
import { usage } from './args.js';
import { isoMs, table } from './format.js';
import { actor, noteOf, STORE_HELP, STORE_OPTS, storeConfig } from './store-args.js';

export const EXPECT_HELP = `Usage: porthole expect CIDR:PORT --note TEXT [--by NAME] [options]
       porthole expect --remove CIDR:PORT --note TEXT [--by NAME] [options]
       porthole expect --list [--json] [options]
       porthole expect --audit [--json] [options]

Expected services: endpoints in CIDR on PORT are known and raise no alert. Stored in ClickHouse
(every change versioned and audited, nothing deleted) and added to the config file's
policy.expected; running analyzers pick changes up within policy.rulesRefresh. A rule that
overlaps one in force (same port, one network inside the other) is refused. An IPv6 network
needs its prefix: 2001:db8::/32:443.
  --remove RULE     remove a rule in force
  --list            the rules in force (config file and stored)
  --audit           every change: when, who, what, why
  --note TEXT       why (add and remove; required)
  --by NAME         who (default $USER)
  --json            one JSON object per line
${STORE_HELP}
`;

const OPTS = {
  ...STORE_OPTS,
  remove: { type: 'string' },
  list: { type: 'boolean' },
  audit: { type: 'boolean' },
  note: { type: 'string' },
  by: { type: 'string' },
} as const;

function rule(text: string): Rule {
  const r = parseRule(text);
  if ('error' in r) throw usage(`expect: ${r.error}`);
  return r;
}

function print(json: boolean, header: string[], rows: Array<Record<string, string | number>>): void {
  if (json) process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  else if (!rows.length) process.stdout.write('none\n');
  else
    process.stdout.write(
      table(
        header,
        rows.map((r) => Object.values(r).map(String)),
      ),
    );
}

export async function expectCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTS, allowPositionals: true });
  if (v.help) {
    process.stdout.write(EXPECT_HELP);
    return 0;
  }
  const modes = [positionals.length > 0, v.remove !== undefined, !!v.list, !!v.audit].filter(Boolean).length;
  if (modes !== 1) throw usage('expect: give one of CIDR:PORT, --remove CIDR:PORT, --list, --audit');
  if (positionals.length > 1) throw usage('expect: one rule at a time');
  const reading = v.list || v.audit;
  if (reading && (v.note !== undefined || v.by !== undefined))
    throw usage('--note and --by are for adding and removing');
  const change = reading
    ? null
    : { rule: rule(v.remove ?? positionals[0]), note: noteOf(v.note), who: actor(v.by), add: v.remove === undefined };
  const cfg = storeConfig(v);
  const store = new Store(cfg.clickhouse);
  try {
    await requireDatabase(store); // a mistyped --database is refused, not created
    await migrate(store); // the tables exist even before an analyzer of this version has started
    if (change) {
      const { rule: r, note, who } = change;
      await (change.add ? addRule(store, r, who, note) : removeRule(store, r, who, note));
      process.stdout.write(`${change.add ? 'added' : 'removed'} ${r.id}\n`);
    } else if (v.list) {
      const rules = (await rulesInForce(store, cfg.policy.expected)).map((r) => ({
        rule: r.rule_id,
        source: r.source,
        since: r.source === 'stored' ? isoMs(r.version) : '',
        by: r.actor,
        note: r.note,
      }));
      print(!!v.json, ['RULE', 'SOURCE', 'SINCE (UTC)', 'BY', 'NOTE'], rules);
    } else {
      const rows = (await auditRows(store)).map((a) => ({
        time: isoMs(a.ts),
        by: a.actor,
        action: a.action,
        rule: a.rule_id,
        note: a.note,
      }));
      print(!!v.json, ['TIME (UTC)', 'BY', 'ACTION', 'RULE', 'NOTE'], rows);
    }
  } finally {
    await store.close();
  }
  return 0;
}
