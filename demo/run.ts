// `porthole demo`: the one-minute story through the real pipeline. It makes a throwaway world
// (database, topics, consumer groups, a folder, the namespaces of the lab), starts the system as
// `porthole up` does with the demo's configs, creates a one-time console account, then tells
// the story (story-telling.ts). It removes everything it made when it ends (Ctrl-C, a failure,
// or --exit-after-alert), the database excepted with --keep, and stops only the local services
// it started itself.

import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AnalyzerConfig, loadAnalyzerConfig } from '../analyzer/config.js';
import { Store } from '../analyzer/store/store.js';
import { putUser } from '../console/accounts.js';
import { hashPassword } from '../console/passwords.js';
import { errorMessage } from '../common/errors.js';
import { UpError } from '../up/errors.js';
import { createLogLines, LEVELS, type LogRecord } from '../up/log-lines.js';
import { portholeCommand } from '../up/porthole-command.js';
import { startSystem, type System } from '../up/system.js';
import { demoNames, writeDemoConfigs } from './configs.js';
import { dropDatabase, freePort, removeKafkaNames, Stopped, until } from './housekeeping.js';
import { type Lab, labRefusal, makeLab } from './lab.js';
import { NEW_SERVICE } from './story.js';
import { tellStory } from './story-telling.js';

export interface DemoOptions {
  /** keep the database at the end */
  keep: boolean;
  /** end once the new-service alert (and, with the lab, its verdict) is shown */
  exitAfterAlert: boolean;
  /** the parts' log on stderr (else in the demo's folder only) */
  verbose: boolean;
}

/** How long the analyzer learns: the history is in by then, and the alert follows it. */
const LEARNING_MS = 15_000;
const ACCOUNT = 'demo';

export async function runDemo(o: DemoOptions): Promise<number> {
  const started = Date.now();
  const say = (line: string): void => {
    process.stdout.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s] ${line}\n`);
  };
  const tag = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'porthole-demo-'));
  const names = demoNames(tag);
  const abort = new AbortController();
  // a second Ctrl-C must not cut the clean-up short (namespaces and parts would be left)
  const onSignal = (): void => {
    if (abort.signal.aborted) process.stderr.write('porthole: demo: cleaning up, a moment\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // the parts' log: a file in the folder (or stderr), and the last warnings kept for a failure
  const logFile = join(dir, 'up.log');
  const recent: string[] = [];
  const log = createLogLines({
    pretty: o.verbose,
    colorize: o.verbose && process.stderr.isTTY === true,
    write: (t) => (o.verbose ? process.stderr.write(t) : appendFileSync(logFile, t)),
  });
  const keepWarnings = (r: LogRecord | null): void => {
    if (!r || r.level < LEVELS.warn) return;
    recent.push(`${r.part}: ${r.msg}`);
    if (recent.length > 20) recent.shift();
  };

  let lab: Lab | null = null;
  let cfg: AnalyzerConfig | null = null;
  let sys: System | null = null;
  let store: Store | null = null;
  let failure: unknown = null;
  let refusedPart: string | null = null;
  try {
    let skipped = labRefusal();
    if (skipped === null)
      lab = await makeLab(tag).catch((err) => {
        skipped = `the demo's network namespaces could not be made (${errorMessage(err)})`;
        return null;
      });

    const listen = `127.0.0.1:${await freePort(8080)}`;
    const files = writeDemoConfigs(dir, names, {
      consoleListen: listen,
      learningPeriodMs: LEARNING_MS,
      nmapCommand: lab?.nmapCommand ?? null,
    });
    cfg = loadAnalyzerConfig({ file: files.analyzer });
    say(
      `Porthole demo: a small network seen on a mirror port, pushed through the sensor, analyzer${lab ? ', verifier' : ''} and console`,
    );
    say(`  its own database ${names.database}, topics ${names.topicPrefix}.*, files in ${dir}`);
    if (lab) say(`  nmap runs only inside network namespace ${lab.scanNs}, at ${NEW_SERVICE.ip} (${lab.hostNs})`);
    else say(`  nmap verification skipped: ${skipped}`);

    sys = await startSystem(
      {
        parts: {
          porthole: portholeCommand(),
          sensorConfig: files.sensor,
          config: files.analyzer,
          verifierConfig: null,
          database: null,
        },
        brokers: cfg.kafka.brokers,
        clickhouseUrl: cfg.clickhouse.url,
        startLocal: true,
        statePath: join(dir, 'up.json'),
        log: {
          fromChild: (part, stream, text) => {
            const r = log.fromChild(part, stream, text);
            keepWarnings(r);
            return r;
          },
          own: log.own,
        },
        verifier: lab !== null,
        console: true,
      },
      abort.signal,
    );
    if (!sys) throw new Stopped();
    const system = sys;
    void system.refused.then((part) => {
      refusedPart = part;
      abort.abort();
    });
    say(`analyzer${lab ? ', verifier' : ''} and console started (their log: ${o.verbose ? 'stderr' : logFile})`);

    // a one-time admin account: its password is printed here, never given to a process's argv
    store = new Store(cfg.clickhouse);
    const password = randomBytes(15).toString('base64url');
    const hash = await hashPassword(password);
    const accountStore = store;
    await until(
      'the database to take the demo account',
      async () => {
        await putUser(accountStore, {
          name: ACCOUNT,
          role: 'admin',
          source: 'local',
          disabled: false,
          password_hash: hash,
        });
        return true;
      },
      60_000,
      abort.signal,
    );
    const url = await until('the console to listen', async () => system.consoleUrl(), 60_000, abort.signal);
    say(`the console: ${url}   account ${ACCOUNT}   password ${password}   (this demo's only)`);

    await tellStory({
      system,
      store,
      say,
      abort: abort.signal,
      dir,
      names,
      url,
      account: { name: ACCOUNT, password },
      learningMs: LEARNING_MS,
      verify: lab !== null,
    });
    say(`try:  npx porthole alerts --database ${names.database}`);
    say(`      npx porthole services --database ${names.database}`);
    say(`      npx porthole host ${NEW_SERVICE.ip} --database ${names.database}`);
    say(`      npx porthole status --state ${join(dir, 'up.json')}`);
    if (!o.exitAfterAlert) {
      say(
        `Ctrl-C ends the demo and removes what it made${o.keep ? ' (the database is kept: --keep)' : ' (--keep keeps the database)'}`,
      );
      await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve()));
    }
  } catch (err) {
    if (!(err instanceof Stopped)) failure = err;
  }
  if (refusedPart)
    failure ??= new UpError(
      'DEMO_FAILED',
      `the demo's ${refusedPart} exited 2: its configuration or credentials were refused`,
    );

  say('cleaning up');
  const left: string[] = [];
  if (sys) await sys.stop();
  lab?.close();
  if (cfg && sys) left.push(...(await removeKafkaNames(cfg.kafka, names)));
  if (cfg && store) {
    if (!o.keep) left.push(...(await dropDatabase(store)));
    else
      say(
        `kept database ${names.database} (to drop it: echo 'DROP DATABASE ${names.database}' | curl -sS --data-binary @- ${cfg.clickhouse.url}/)`,
      );
    await store.close();
  }
  if (failure && recent.length)
    process.stderr.write(`the parts' last warnings and errors:\n  ${recent.join('\n  ')}\n`);
  rmSync(dir, { recursive: true, force: true });
  for (const l of left) process.stderr.write(`porthole: demo: ${l}\n`);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (failure) throw failure;
  say('done');
  return left.length ? 1 : 0;
}
