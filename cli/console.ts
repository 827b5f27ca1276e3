// `porthole console` and `porthole users`: argument parsing only.

import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { audit, getUser, listUsers, putUser, userNameProblem } from '../console/accounts.js';
import { loadConsoleConfig } from '../console/config.js';
import { hashPassword, passwordProblem } from '../console/passwords.js';
import { isRole, ROLES, type Role } from '../console/roles.js';
import { CONSOLE_SPEC } from '../console/spec.js';
import { migrate, requireDatabase } from '../analyzer/store/migrate.js';
import { Store } from '../analyzer/store/store.js';
import { rootLogger } from '../common/logger.js';
import { specHelp } from '../schemas/config-spec.js';
import { usage } from './args.js';
import { actor, STORE_OPTS } from './store-args.js';
import { table, isoMs } from './format.js';

export const CONSOLE_HELP = `Usage: porthole console [--config FILE] [--listen HOST:PORT] [options]
       porthole console --openapi

Serve the web console and the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json) on one port,
127.0.0.1:8080 by default, HTTPS when console.tlsCert and console.tlsKey are given. Reads the
analyzer's config file (ClickHouse, owners, expected services; verify.allowedNetworks and Kafka
for verification requests). Add the first account with porthole users add NAME --role admin.

Options:
  --config FILE         JSON config file (the analyzer's)
  --listen HOST:PORT    console.listen
  --clickhouse URL      ClickHouse HTTP URL (default http://127.0.0.1:8123)
  --database NAME       database (default porthole)
  --openapi             print the API's OpenAPI document (docs/openapi.json) and exit
  -h, --help            this help

Console keys (the analyzer's clickhouse.*, owners.* and policy.* are read too):
${specHelp(CONSOLE_SPEC)}
`;

export const USERS_HELP = `Usage: porthole users add NAME --role ROLE [options]
       porthole users passwd NAME [options]
       porthole users role NAME ROLE [options]
       porthole users disable NAME | enable NAME [options]
       porthole users list [--json] [options]

Console accounts. Roles: viewer (read), analyst (read and triage alerts), admin (also accounts,
tokens and rules). A password is asked for on a terminal, or read from the first line of
standard input (echo "$PW" | porthole users add ...); never from the command line.
  --role ROLE           ${ROLES.join(', ')}
  --config FILE         JSON config file (the analyzer's)
  --clickhouse URL      ClickHouse HTTP URL (default http://127.0.0.1:8123)
  --database NAME       database (default porthole)
  -h, --help            this help
`;

// the store commands' options, without --json (the console prints nothing but its log)
const { json: _json, ...CONSOLE_OPTS } = STORE_OPTS;

const flagsOf = (v: { clickhouse?: string; database?: string; listen?: string }) => ({
  'clickhouse.url': v.clickhouse,
  'clickhouse.database': v.database,
  'console.listen': v.listen,
});

export async function consoleCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...CONSOLE_OPTS, listen: { type: 'string' }, openapi: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(CONSOLE_HELP);
    return 0;
  }
  if (values.openapi) {
    const cfg = loadConsoleConfig({ file: values.config, flags: flagsOf(values) });
    const { openapiDocument } = await import('../console/openapi.js');
    const store = new Store(cfg.analyzer.clickhouse); // never connected: the document needs no data
    try {
      process.stdout.write(await openapiDocument(store, cfg.console, cfg.analyzer));
    } finally {
      await store.close();
    }
    return 0;
  }
  const cfg = loadConsoleConfig({ file: values.config, flags: flagsOf(values), kafkaSecrets: true });
  const log = await rootLogger({
    level: cfg.analyzer.logLevel,
    format: cfg.analyzer.logFormat,
    base: { service: 'porthole-console' },
  });
  const { runConsole } = await import('../console/main.js');
  return runConsole(cfg.console, cfg.analyzer, log);
}

/** A password from the terminal (not echoed) or the first line of standard input. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw usage('no password on standard input');
  }
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const out = rl as unknown as { _writeToOutput: (s: string) => void };
      out._writeToOutput = (s: string) => {
        if (s.includes(q)) process.stderr.write(q);
      };
      rl.question(q, (a) => {
        rl.close();
        process.stderr.write('\n');
        resolve(a);
      });
    });
  const a = await ask(prompt);
  const b = await ask('again: ');
  if (a !== b) throw usage('the two passwords differ; nothing changed');
  return a;
}

export async function usersCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...STORE_OPTS, role: { type: 'string' } },
  });
  const [action, name, arg] = positionals;
  if (values.help || !action) {
    process.stdout.write(USERS_HELP);
    return values.help ? 0 : 2;
  }
  const known = ['add', 'passwd', 'role', 'disable', 'enable', 'list'];
  if (!known.includes(action)) throw usage(`users: unknown action ${JSON.stringify(action)} (${known.join(', ')})`);
  const wanted = action === 'list' ? 1 : action === 'role' ? 3 : 2;
  if (positionals.length > wanted)
    throw usage(
      `users ${action}: unexpected ${positionals
        .slice(wanted)
        .map((p) => JSON.stringify(p))
        .join(' ')}`,
    );
  if (action !== 'list') {
    if (!name) throw usage(`users ${action}: give the account name`);
    const bad = userNameProblem(name);
    if (bad) throw usage(`users: name ${JSON.stringify(name)}: ${bad}`);
  }
  let role: Role | undefined;
  const roleText = action === 'role' ? arg : values.role;
  if (action === 'add' || action === 'role') {
    if (!isRole(roleText))
      throw usage(`users ${action}: --role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(roleText ?? '')}`);
    role = roleText;
  } else if (values.role !== undefined) throw usage(`users ${action}: --role is for add (and role NAME ROLE)`);
  const cfg = loadConsoleConfig({ file: values.config, flags: flagsOf(values) });
  // every argument and the password are checked before ClickHouse is touched: a refused command
  // changes nothing; only `add` (the first account of a new system) may create the database
  const password =
    action === 'add' || action === 'passwd'
      ? await readPassword(`${action === 'add' ? 'password' : 'new password'} for ${name}: `)
      : null;
  if (password !== null) {
    const weak = passwordProblem(password);
    if (weak) throw usage(`users ${action}: password: ${weak}; nothing changed`);
  }
  const store = new Store(cfg.analyzer.clickhouse);
  try {
    if (action !== 'add') await requireDatabase(store);
    await migrate(store);
    if (action === 'list') {
      const users = await listUsers(store);
      if (values.json)
        for (const u of users) process.stdout.write(`${JSON.stringify({ ...u, password_hash: undefined })}\n`);
      else if (!users.length) process.stdout.write('no accounts (porthole users add NAME --role admin)\n');
      else
        process.stdout.write(
          table(
            ['NAME', 'ROLE', 'SOURCE', 'DISABLED', 'CHANGED (UTC)'],
            users.map((u) => [u.name, u.role, u.source, u.disabled ? 'yes' : 'no', isoMs(u.changed_at)]),
          ),
        );
      return 0;
    }
    const u = await getUser(store, name);
    const by = `cli:${actor(undefined)}`;
    if (action === 'add') {
      if (u) throw usage(`users add: account ${name} exists (porthole users passwd|role changes it)`);
      await putUser(store, {
        name,
        role: role!,
        source: 'local',
        disabled: false,
        password_hash: await hashPassword(password!),
      });
      await audit(store, { actor: by, action: 'user.add', target: name, detail: { role } });
      process.stdout.write(`added ${name} (${role})\n`);
      return 0;
    }
    if (!u) {
      process.stderr.write(`porthole: users ${action}: no account ${name}\n`);
      return 1;
    }
    let next = { ...u };
    if (action === 'passwd') next = { ...next, password_hash: await hashPassword(password!) };
    else if (action === 'role') next = { ...next, role: role! };
    else next = { ...next, disabled: action === 'disable' };
    await putUser(store, next, u);
    const detail =
      action === 'passwd' ? { password_changed: true } : action === 'role' ? { role } : { disabled: next.disabled };
    await audit(store, { actor: by, action: 'user.change', target: name, detail });
    process.stdout.write(
      `${name}: ${action === 'passwd' ? 'password changed' : action === 'role' ? `role ${role}` : `${action}d`}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
