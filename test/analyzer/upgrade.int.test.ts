// Upgrade in place, with the real analyzer, Kafka and ClickHouse: the release before the
// inventory tables (built from git) stores Observations (duplicates included), then the current
// analyzer starts on the same database and topic. Its inventory must show what the old release
// showed, nothing lost or doubled; new windows add to it exactly once. And from the release whose
// views summed every sensor's Observation: the views are redefined, what they added stays, and
// two sensors' Observations of a new window count once.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import type { Observation } from '../../schemas/observation.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { CH_URL } from '../support/clickhouse.js';
import { kafkaClient } from '../support/kafka.js';
import { observation } from '../support/observations.js';
import { porthole } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';

/** The last release whose database had no inventory tables. */
const PREVIOUS = 'bf3c4e8';
/** The last release whose views summed every sensor's Observation of a window. */
const SUMMED = 'd657f3b';
const root = fileURLToPath(new URL('../../', import.meta.url));
const old = mkdtempSync(join(tmpdir(), 'porthole-previous-'));
const summed = mkdtempSync(join(tmpdir(), 'porthole-summed-'));
let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];

beforeAll(() => {
  for (const [commit, dir] of [
    [PREVIOUS, old],
    [SUMMED, summed],
  ]) {
    const tar = execFileSync('git', ['-C', root, 'archive', commit], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')]);
  }
}, 300_000);

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
  await env?.cleanup();
  env = null;
});

afterAll(() => {
  rmSync(old, { recursive: true, force: true });
  rmSync(summed, { recursive: true, force: true });
});

type Row = Record<string, unknown>;

function services(bin: string, db: string): Row[] {
  const out = execFileSync(process.execPath, [bin, 'services', '--json', '--clickhouse', CH_URL, '--database', db], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const view = (rows: Row[]) =>
  rows.map((r) => [r.ip, r.port, r.first_seen, r.last_seen, r.handshakes, r.clients, r.state, r.internet_exposed]);

async function until(pred: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !pred(); ) await sleep(500);
}

it('the current analyzer takes over a database of the previous release, nothing lost or doubled', async () => {
  env = analyzerEnv();
  const e = env;
  const oldBin = join(old, 'bin/porthole.js');
  const t = Date.now() - 120_000;
  const first = [
    observation({ ip: '192.0.2.1', port: 443, window_start: t, handshakes: 4, clients: 3 }),
    observation({ ip: '192.0.2.1', port: 443, window_start: t + 5000, handshakes: 2, clients: 1 }),
    observation({ ip: '192.0.2.2', port: 22, window_start: t, sample_client: '203.0.113.9' }),
    observation({ ip: '198.51.100.4', port: 80, window_start: t }), // outside the home networks
  ];
  const producer = kafkaClient().producer();
  await producer.connect();
  // what a sensor of the previous release sends: message version 1
  const v1 = ({
    clients_internal,
    clients_internet,
    sample_clients,
    hll_internal,
    hll_internet,
    ...o
  }: Observation) => ({
    ...o,
    v: 1,
  });
  const send = (obs: Observation[]) =>
    producer.send({ topic: e.obsTopic, messages: obs.map((o) => ({ key: o.ip, value: JSON.stringify(v1(o)) })) });
  try {
    const previous = startPorthole(['analyzer'], e.env, oldBin);
    procs.push(previous);
    await previous.waitFor((l) => l.msg === 'joined consumer group', 60_000);
    await send([...first, first[0]]); // a resend: the old release collapses it on read
    await until(() => services(oldBin, e.db).length === 3, 30_000);
    const before = services(oldBin, e.db);
    await previous.stop();
    procs.splice(0);
    expect(view(before)).toHaveLength(3);

    const current = startPorthole(['analyzer'], e.env);
    procs.push(current);
    await current.waitFor((l) => l.msg === 'joined consumer group', 90_000);
    expect(current.logs.some((l) => l.msg === 'upgrade: stored rows folded into the inventory')).toBe(true);
    const after = e.services();
    expect(view(after)).toEqual(view(before));
    const host = JSON.parse(
      porthole(['host', '192.0.2.1', '--json', '--clickhouse', CH_URL, '--database', e.db]).stdout,
    );
    expect(host.intervals.map((i: Row) => [i.port, i.start, i.end, i.opened_by])).toEqual([
      [443, t + 10, null, 'migrated'],
    ]);

    // a new window adds exactly its own handshakes
    await send([observation({ ip: '192.0.2.1', port: 443, window_start: t + 10_000, handshakes: 5 })]);
    await until(() => e.services().find((r) => r.port === 443)?.handshakes === 11, 30_000);
    await sleep(2000);
    expect(e.services().find((r) => r.port === 443)).toMatchObject({ handshakes: 11, windows: 3 });
  } finally {
    await producer.disconnect();
  }
}, 300_000);

it('the release counting a window once takes over a database whose views summed every sensor', async () => {
  env = analyzerEnv();
  const e = env;
  const t = Date.now() - 120_000;
  const seen = (sensor: string, window_start: number, handshakes: number) =>
    observation({ ip: '192.0.2.1', port: 443, window_start, handshakes, sensor });
  const producer = kafkaClient().producer();
  await producer.connect();
  const send = (obs: Observation[]) =>
    producer.send({ topic: e.obsTopic, messages: obs.map((o) => ({ key: o.ip, value: JSON.stringify(o) })) });
  const row = () => e.services().find((r) => r.port === 443);
  // the older release reads its own database (this one's reads need the columns it adds)
  const oldRow = () => services(join(summed, 'bin/porthole.js'), e.db).find((r) => r.port === 443);
  try {
    const previous = startPorthole(['analyzer'], e.env, join(summed, 'bin/porthole.js'));
    procs.push(previous);
    await previous.waitFor((l) => l.msg === 'joined consumer group', 60_000);
    // a SPAN and a TAP on the same link: the release before summed them
    await send([seen('span', t, 4), seen('tap', t, 5)]);
    await until(() => oldRow()?.handshakes === 9, 30_000);
    await previous.stop();
    procs.splice(0);

    const current = startPorthole(['analyzer'], e.env);
    procs.push(current);
    await current.waitFor((l) => l.msg === 'joined consumer group', 90_000);
    const ready = current.logs.find((l) => l.msg === 'schema ready') as { added: string[] };
    expect(ready.added).toEqual(
      expect.arrayContaining([
        'inventory_from_observations (redefined)',
        'rollup_hourly_from_observations (redefined)',
        'rollup_daily_from_observations (redefined)',
      ]),
    );
    expect(row()).toMatchObject({ handshakes: 9, windows: 2 }); // what the old views added stays
    // a new window seen by both: once, with the higher count
    await send([seen('span', t + 5000, 3), seen('tap', t + 5000, 6)]);
    await until(() => row()?.handshakes === 15, 30_000);
    await sleep(2000);
    expect(row()).toMatchObject({ handshakes: 15, windows: 3, sensors: ['span', 'tap'] });
  } finally {
    await producer.disconnect();
  }
}, 300_000);
