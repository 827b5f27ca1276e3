// The inventory from a capture whose audience is known, through the real sensor, Kafka, analyzer
// and ClickHouse: distinct internal and internet clients within the sketch's stated error, the
// newest window's clients, and exposure intervals: seen, gone stale, seen again makes two.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { HostView, InventoryRow } from '../../analyzer/inventory.js';
import { HLL_STANDARD_ERROR } from '../../common/hll.js';
import { sleep } from '../../common/time.js';
import { analyzerEnv } from '../support/analyzer-env.js';
import { audienceCapture, clientOrder, INTERNAL, INTERNET, SERVER, WINDOW_MS, WINDOWS } from '../support/audience.js';
import { CH_URL, chQuery } from '../support/clickhouse.js';
import { porthole } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';

const STALE_MS = 20_000;
const A = analyzerEnv({ PORTHOLE_POLICY_STALE_AFTER: '20s' });
const dir = mkdtempSync(join(tmpdir(), 'porthole-inventory-'));
let analyzer: PortholeProc | null = null;

afterAll(async () => {
  await analyzer?.stop();
  await A.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function sense(t0: number, name: string): void {
  const file = join(dir, name);
  writeFileSync(file, audienceCapture(t0));
  const r = spawnSync(
    process.execPath,
    ['bin/porthole.js', 'sensor', '--pcap', file, '--window', '5s', '--sensor-id', 'inv'],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: A.obsTopic,
        PORTHOLE_KAFKA_STATUS_TOPIC: A.statusTopic,
      },
    },
  );
  expect(r.status, r.stderr).toBe(0);
}

function host(): HostView {
  const r = porthole(['host', SERVER.ip, '--json', '--clickhouse', CH_URL, '--database', A.db]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function until<T>(what: string, get: () => T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  let v = get();
  for (const end = Date.now() + ms; !ok(v); v = get()) {
    if (Date.now() > end) throw new Error(`${what}: not reached; last ${JSON.stringify(v).slice(0, 500)}`);
    await sleep(1000);
  }
  return v;
}

it('audience within its stated error; seen, stale, seen again is two exposure intervals', async () => {
  analyzer = startPorthole(['analyzer'], A.env);
  await analyzer.waitFor((l) => l.msg === 'joined consumer group', 60_000);
  // the first sighting ends long enough ago that the stale sweep ends its exposure at once
  const t1 = Math.floor((Date.now() - STALE_MS - 30_000) / WINDOW_MS) * WINDOW_MS;
  sense(t1, 'first.pcap');
  const handshakes = WINDOWS.reduce((n, w) => n + 2 * clientOrder(w).length, 0);
  const services = () => A.services() as unknown as InventoryRow[];
  const [row] = await until('first capture stored', services, (r) => r[0]?.handshakes === handshakes);
  const within = (got: number, truth: number) =>
    expect(Math.abs(got - truth), `${got} vs ${truth}`).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR * truth);
  within(row.audience.internal, INTERNAL.length);
  within(row.audience.internet, INTERNET.length);
  within(row.clients, INTERNAL.length + INTERNET.length);
  expect(row).toMatchObject({
    ip: SERVER.ip,
    port: SERVER.port,
    windows: 3,
    internet_exposed: true,
    tags: ['internet'],
  });
  expect(row.audience.recent_clients).toEqual(clientOrder(WINDOWS[2]).slice(0, 8));

  await until(
    'gone stale',
    () => A.services()[0].state,
    (s) => s === 'stale',
    45_000,
  );
  const t2 = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
  sense(t2, 'again.pcap');
  // the exposure change is stored just before the state: wait for both
  const view = await until('seen again', host, (h) => h.intervals.length === 2 && h.services[0]?.state === 'reopened');
  expect(view.intervals.map((i) => [i.opened_by, i.ended_by])).toEqual([
    ['new', 'stale'],
    ['seen_again', null],
  ]);
  const [first, second] = view.intervals;
  expect(first.start).toBe(t1 + 100);
  expect(first.end).toBeLessThan(t1 + 3 * WINDOW_MS);
  expect(second.start).toBe(t2 + 100);
  expect(view.services[0]).toMatchObject({ state: 'reopened', exposed_since: t2 + 100, windows: 6 });
  // the same host asked for as an IPv4-mapped IPv6 address
  const mapped = JSON.parse(
    porthole(['host', `::ffff:${SERVER.ip}`, '--json', '--clickhouse', CH_URL, '--database', A.db]).stdout,
  ) as HostView;
  expect([mapped.ip, mapped.intervals.length]).toEqual([SERVER.ip, 2]);
  // the same clients again: the distinct counts do not grow
  within(view.services[0].audience.internet, INTERNET.length);
  expect(view.history.reduce((n, d) => n + d.handshakes, 0)).toBe(2 * handshakes);
}, 240_000);

it('bad input to services and host: one line, the exit status, nothing else', async () => {
  const run = (args: string[]) => porthole([...args, '--clickhouse', CH_URL, '--database', A.db]);
  for (const [args, status, text] of [
    [['services', '--state', 'bogus'], 2, '--state: unknown state "bogus"'],
    [['services', '--after', 'nope'], 2, '--after: not a cursor'],
    [['services', '--net', '10.0.0.0/33'], 2, '--net: not a CIDR'],
    [['services', '--csv', '--json'], 2, '--csv and --json: choose one'],
    [['host', 'not-an-ip'], 2, 'host: not an IP address'],
  ] as const) {
    const r = run([...args]);
    expect([r.status, r.stdout], args.join(' ')).toEqual([status, '']);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(text);
  }
  // a database that does not exist is refused by every command, and not created
  for (const cmd of [['services'], ['host', '192.0.2.1'], ['alerts'], ['expect', '--list'], ['report']]) {
    const missing = porthole([...cmd, '--clickhouse', CH_URL, '--database', `${A.db}_none`]);
    expect([missing.status, missing.stderr.trim()], cmd.join(' ')).toEqual([
      1,
      `porthole: database ${A.db}_none does not exist: check --database (porthole analyzer creates it at its first start)`,
    ]);
  }
  const none = await chQuery<{ c: string }>(`SELECT count() AS c FROM system.databases WHERE name = '${A.db}_none'`);
  expect(Number(none[0].c)).toBe(0);
});
