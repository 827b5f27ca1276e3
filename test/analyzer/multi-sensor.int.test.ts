// Two sensors on the same traffic (a SPAN and a TAP, each with its own losses), through real
// sensors reading captures, Kafka, the analyzer and ClickHouse: the inventory counts each
// endpoint's window once, with the higher of the two counts (whichever sensor reported it), while
// each sensor's own figures stay visible in `porthole host`; a sensor's resend is not counted
// again, neither just after its original nor after the analyzer restarted; and an analyzer killed
// and restarted between the two sensors' Observations does not count a window twice.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import type { HostView } from '../../analyzer/inventory.js';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { CH_URL } from '../support/clickhouse.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { kafkaClient } from '../support/kafka.js';
import { porthole, replayJson } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { conversation, ipOf, type Seg } from '../support/scenarios.js';

const WINDOW_MS = 5000;
/** Per endpoint, per window: the connections the SPAN's and the TAP's captures hold. */
const PLAN = [
  { ip: '192.0.2.70', port: 443, span: [6, 4, 5], tap: [6, 7, 3] },
  { ip: '192.0.2.71', port: 22, span: [2, 0, 1], tap: [0, 3, 1] },
] as const;
const sum = (a: readonly number[]) => a.reduce((n, x) => n + x, 0);
/** The inventory's truth: per window the higher count; each sensor's own totals. */
const TRUTH = PLAN.map((p) => ({
  ip: p.ip,
  port: p.port,
  handshakes: sum(p.span.map((s, k) => Math.max(s, p.tap[k]))),
  windows: 3,
}));

const dir = mkdtempSync(join(tmpdir(), 'porthole-multi-sensor-'));
const procs: PortholeProc[] = [];
let env: AnalyzerEnv | null = null;

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop('SIGKILL');
  await env?.cleanup();
  env = null;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What one sensor's mirror carried, its first window starting at t0 (a multiple of the window). */
function capture(t0: number, which: 'span' | 'tap'): string {
  const segs: Seg[] = [];
  let client = 0;
  for (const p of PLAN)
    p[which].forEach((n, k) => {
      // both mirrors carry the same first connections of a window; each loses the rest differently
      for (let i = 0; i < n; i++) {
        const c = `10.30.${k}.${1 + i}`;
        segs.push(
          ...conversation(c, p.ip, 30000 + (client++ % 20000), p.port, t0 + k * WINDOW_MS + 100 + i * 50, 'open'),
        );
      }
    });
  segs.sort((a, b) => a.ts - b.ts);
  const file = join(dir, `${which}-${t0}.pcap`);
  writeFileSync(
    file,
    pcapFile(
      segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
      { linktype: 1 },
    ),
  );
  return file;
}

function sense(e: AnalyzerEnv, file: string, sensor: string): void {
  const r = spawnSync(
    process.execPath,
    ['bin/porthole.js', 'sensor', '--pcap', file, '--window', '5s', '--sensor-id', sensor],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: e.obsTopic,
        PORTHOLE_KAFKA_STATUS_TOPIC: e.statusTopic,
      },
    },
  );
  expect(r.status, r.stderr).toBe(0);
}

async function startAnalyzer(e: AnalyzerEnv): Promise<PortholeProc> {
  const a = startPorthole(['analyzer'], e.env);
  procs.push(a);
  await a.waitFor((l) => l.msg === 'joined consumer group', 60_000);
  return a;
}

const totals = (e: AnalyzerEnv) =>
  e
    .services()
    .map((r) => ({ ip: r.ip, port: r.port, handshakes: r.handshakes, windows: r.windows, sensors: r.sensors }));

async function until<T>(what: string, get: () => T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  let v = get();
  for (const end = Date.now() + ms; !ok(v); v = get()) {
    if (Date.now() > end) throw new Error(`${what}: not reached; last ${JSON.stringify(v).slice(0, 800)}`);
    await sleep(1000);
  }
  return v;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The SPAN sends its Observation of the first endpoint's second window again (a resend: a new
 * Kafka offset, the same window), then one of a port not seen before on the same address (the
 * same partition, so stored after it): once that one is listed, the resend was handled.
 */
async function resend(e: AnalyzerEnv, spanFile: string, marker: number): Promise<void> {
  const obs = replayJson([spanFile], ['--window', '5s', '--sensor-id', 'span']);
  const again = obs.filter((o) => o.ip === PLAN[0].ip && o.port === PLAN[0].port)[1];
  expect(again.handshakes).toBe(PLAN[0].span[1]);
  const producer = kafkaClient().producer();
  await producer.connect();
  try {
    await producer.send({
      topic: e.obsTopic,
      acks: -1,
      messages: [
        { key: PLAN[0].ip, value: JSON.stringify(again) },
        { key: PLAN[0].ip, value: JSON.stringify({ ...again, port: marker }) },
      ],
    });
  } finally {
    await producer.disconnect();
  }
  await until(
    'marker stored',
    () => totals(e).some((r) => r.port === marker),
    (x) => x,
  );
}

const expected = () => TRUTH.map((t) => ({ ...t, sensors: ['span', 'tap'] }));
const listed = (e: AnalyzerEnv) => totals(e).filter((r) => PLAN.some((p) => p.port === r.port));

function host(e: AnalyzerEnv, ip: string, json = true): string {
  const r = porthole(['host', ip, ...(json ? ['--json'] : []), '--clickhouse', CH_URL, '--database', e.db]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

it('two sensors on the same traffic: each window counted once, with the higher count; each sensor’s own figures kept', async () => {
  env = analyzerEnv();
  const e = env;
  await startAnalyzer(e);
  const t0 = Math.floor((Date.now() - 60_000) / WINDOW_MS) * WINDOW_MS;
  const span = capture(t0, 'span');
  sense(e, span, 'span');
  sense(e, capture(t0, 'tap'), 'tap');
  await until(
    'both sensors stored',
    () => listed(e),
    (r) => same(r, expected()),
  );
  await sleep(3000); // nothing more comes
  expect(listed(e)).toEqual(expected());

  const view = JSON.parse(host(e, PLAN[0].ip)) as HostView;
  expect(view.by_sensor.map((f) => [f.port, f.sensor, f.handshakes, f.windows])).toEqual([
    [443, 'span', sum(PLAN[0].span), 3],
    [443, 'tap', sum(PLAN[0].tap), 3],
  ]);
  expect(view.history.reduce((n, d) => n + d.handshakes, 0)).toBe(TRUTH[0].handshakes);
  const second = JSON.parse(host(e, PLAN[1].ip)) as HostView;
  expect(second.by_sensor.map((f) => [f.sensor, f.handshakes, f.windows])).toEqual([
    ['span', sum(PLAN[1].span), 2],
    ['tap', sum(PLAN[1].tap), 2],
  ]);
  const text = host(e, PLAN[0].ip, false);
  expect(text).toContain('per sensor, last 30 days');
  expect(text).toMatch(/443\/tcp\s+span\s+15\s+3/);
  expect(text).toMatch(/443\/tcp\s+tap\s+16\s+3/);

  await resend(e, span, 8001);
  expect(listed(e)).toEqual(expected());
}, 180_000);

it('an analyzer killed and restarted between the two sensors’ Observations counts each window once', async () => {
  env = analyzerEnv();
  const e = env;
  const first = await startAnalyzer(e);
  // windows older than the restarted analyzer's memory: their stored counts are read back
  const t0 = Math.floor((Date.now() - 300_000) / WINDOW_MS) * WINDOW_MS;
  const span = capture(t0, 'span');
  sense(e, span, 'span');
  const spanOnly = PLAN.map((p) => ({
    ip: p.ip,
    port: p.port,
    handshakes: sum(p.span),
    windows: p.span.filter((n) => n > 0).length,
    sensors: ['span'],
  }));
  await until(
    'the SPAN stored',
    () => listed(e),
    (r) => same(r, spanOnly),
  );
  await first.stop('SIGKILL');
  await startAnalyzer(e);
  sense(e, capture(t0, 'tap'), 'tap');
  await until(
    'the TAP stored',
    () => listed(e),
    (r) => same(r, expected()),
  );
  // a resend the restarted analyzer's memory does not hold: counted once all the same
  await resend(e, span, 8002);
  await sleep(2000);
  expect(listed(e)).toEqual(expected());
}, 180_000);
