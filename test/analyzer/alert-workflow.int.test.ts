// The alert lifecycle through the real `porthole alerts` command, with the real analyzer, Kafka
// and ClickHouse: listing with each filter, acknowledging, resolving, the history; bad input
// refused with one line and its exit status (2 usage, 1 refused) and nothing changed in the
// tables; and an endpoint that goes stale has its open alert resolved by Porthole.

import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { analyzerStarter, sendObservations as send, until } from '../support/analyzer-run.js';
import { CH_URL, chQuery } from '../support/clickhouse.js';
import { observation } from '../support/observations.js';
import { BIN } from '../support/porthole.js';
import type { PortholeProc } from '../support/porthole-process.js';

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
  await env?.cleanup();
  env = null;
});

const analyzer = analyzerStarter(procs);

const count = async (sql: string): Promise<number> => Number((await chQuery<{ c: string }>(sql))[0].c);

/** `porthole alerts …` on the test database, as user `tester`. */
function alerts(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'alerts', ...args, '--clickhouse', CH_URL, '--database', env!.db], {
    encoding: 'utf8',
    env: { ...process.env, USER: 'tester' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type View = { alert_id: string; ip: string; port: number; state: string; actor: string; note: string };
function list(args: string[] = []): View[] {
  const r = alerts(['--json', ...args]);
  if (r.status !== 0) throw new Error(`alerts ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
const ports = (args: string[] = []): number[] => list(args).map((a) => a.port);

describe('alert lifecycle', () => {
  it('list with each filter, ack, resolve, history; bad input changes nothing', async () => {
    env = analyzerEnv();
    await analyzer(env);
    const t = Date.now() - 60_000;
    // sent one by one so that they are raised in this order (newest first: 8080, 22, 443)
    await send(env, [observation({ ip: '192.0.2.1', port: 443, window_start: t, sample_client: '192.0.2.100' })]);
    await until(async () => (await count(`SELECT count() AS c FROM ${env!.db}.alerts`)) === 1, 30_000);
    await send(env, [observation({ ip: '192.0.2.2', port: 22, window_start: t })]);
    await until(async () => (await count(`SELECT count() AS c FROM ${env!.db}.alerts`)) === 2, 30_000);
    await send(env, [observation({ ip: '2001:db8::1', port: 8080, window_start: t })]);
    await until(async () => (await count(`SELECT count() AS c FROM ${env!.db}.alerts`)) === 3, 30_000);

    expect(ports()).toEqual([8080, 22, 443]);
    expect(list().every((a) => a.state === 'open' && a.actor === 'porthole')).toBe(true);
    expect(ports(['--severity', 'high'])).toEqual([22]);
    expect(ports(['--severity', 'low'])).toEqual([443]);
    expect(ports(['--port', '8080'])).toEqual([8080]);
    expect(ports(['--net', '2001:db8::/32'])).toEqual([8080]);
    expect(ports(['--net', '192.0.2.0/31'])).toEqual([443]);
    expect(ports(['--kind', 'new_service'])).toEqual([8080, 22, 443]);
    expect(ports(['--kind', 'reopened_service'])).toEqual([]);
    expect(ports(['--since', '1h'])).toEqual([8080, 22, 443]);
    expect(ports(['--since', '1ms'])).toEqual([]);
    expect(ports(['--limit', '1'])).toEqual([8080]);
    expect(ports(['--state', 'open'])).toEqual([8080, 22, 443]);
    const id = (port: number) => list().find((a) => a.port === port)!.alert_id;
    const [a443, a22, a8080] = [id(443), id(22), id(8080)];

    const table = alerts([]);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME \(UTC\)\s+ID\s+KIND\s+SEVERITY\s+IP\s+PORT\s+STATE\s+MESSAGE$/);
    expect(table.stdout).toContain(a22);

    const ack = alerts(['ack', a443, a22, '--note', 'looking into it', '--by', 'alice']);
    expect(ack.status).toBe(0);
    expect(ack.stdout).toBe(`acknowledged ${a443}\nacknowledged ${a22}\n`);
    expect(list(['--state', 'acknowledged']).map((a) => [a.port, a.actor, a.note])).toEqual([
      [22, 'alice', 'looking into it'],
      [443, 'alice', 'looking into it'],
    ]);
    expect(ports(['--state', 'open'])).toEqual([8080]);
    expect(alerts(['resolve', a443, '--note', 'firewalled']).status).toBe(0);
    expect(list(['--state', 'resolved']).map((a) => [a.port, a.actor, a.note])).toEqual([
      [443, 'tester', 'firewalled'],
    ]);
    expect(ports(['--state', 'acknowledged', '--severity', 'high'])).toEqual([22]);

    const shown = alerts(['show', a443, '--json']);
    expect(shown.status).toBe(0);
    const view = JSON.parse(shown.stdout) as View & { events: Array<{ state: string; actor: string; note: string }> };
    expect(view).toMatchObject({ alert_id: a443, state: 'resolved', actor: 'tester', note: 'firewalled' });
    expect(view.events.map((e) => `${e.state}|${e.actor}|${e.note}`)).toEqual([
      expect.stringMatching(/^open\|porthole\|new service 192\.0\.2\.1:443\/tcp/),
      'acknowledged|alice|looking into it',
      'resolved|tester|firewalled',
    ]);
    const text = alerts(['show', a443]);
    expect(text.stdout).toMatch(/^id\s+new_service\|192\.0\.2\.1\|tcp\|443$/m);
    expect(text.stdout).toMatch(/^state\s+resolved since .* by tester: firewalled$/m);
    expect(text.stdout).toMatch(/history:\nTIME \(UTC\)\s+STATE\s+BY\s+NOTE\n/);

    // bad input: one line, its exit status, nothing changed
    const events = () => count(`SELECT count() AS c FROM ${env!.db}.alert_events`);
    expect(await events()).toBe(3);
    const refused: Array<[string[], number, RegExp]> = [
      [
        ['ack', 'new_service|192.0.2.99|tcp|1', '--note', 'x'],
        1,
        /no alert with id "new_service\|192\.0\.2\.99\|tcp\|1"/,
      ],
      [['ack', a443, '--note', 'again'], 1, /already resolved: .*nothing changed/],
      [['resolve', a443, '--note', 'again'], 1, /already resolved/],
      [['resolve', a8080, a443, '--note', 'both'], 1, /already resolved/], // all or nothing: 8080 stays open
      [['show', 'nope'], 1, /no alert with id "nope"/],
      [['--net', '10.0.0.0/33'], 2, /--net: not a CIDR/],
      [['--port', '0'], 2, /--port: must be 1\.\.65535/],
      [['--port', '70000'], 2, /--port: must be 1\.\.65535/],
      [['--state', 'closed'], 2, /--state: one of open, acknowledged, resolved/],
      [['--severity', 'urgent'], 2, /--severity: one of low, medium, high/],
      [['--since', '5'], 2, /--since: a duration needs a unit/],
      [['--limit', '0'], 2, /--limit: must be an integer >= 1/],
      [['--limit', '10001'], 2, /--limit: at most 10000/],
      [['ack', a8080], 2, /--note TEXT is required/],
      [['ack', '--note', 'x'], 2, /give one or more alert ids/],
      [['ack', a8080, '--note', 'x', '--state', 'open'], 2, /--state is for listing alerts/],
      [['close', a8080], 2, /unknown subcommand "close"/],
    ];
    for (const [args, status, message] of refused) {
      const r = alerts(args);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), status]);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(await events()).toBe(3);
    expect(ports(['--state', 'open'])).toEqual([8080]);
  }, 120_000);

  it('an endpoint that goes stale has its open alerts resolved by porthole', async () => {
    env = analyzerEnv({ PORTHOLE_POLICY_STALE_AFTER: '3s' });
    await analyzer(env);
    const now = Date.now();
    await send(env, [
      observation({ ip: '192.0.2.7', port: 25, window_start: now - 1000, first_seen: now - 900, last_seen: now - 800 }),
    ]);
    expect(await until(async () => list(['--state', 'resolved']).length === 1, 30_000)).toBe(true);
    expect(list()).toEqual([
      expect.objectContaining({
        ip: '192.0.2.7',
        port: 25,
        state: 'resolved',
        actor: 'porthole',
        note: 'exposure ended: stale',
      }),
    ]);
    await sleep(3000); // later sweeps resolve nothing twice
    expect(await count(`SELECT count() AS c FROM ${env.db}.alert_events`)).toBe(1);
  }, 90_000);
});
