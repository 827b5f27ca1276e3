// The demo's story, told through the running system: the history goes through the sensor while
// the analyzer learns (no alerts for what was there before), then, once learning is over, the
// live part; the demo then shows what the console shows: the new-service alert, that the sweep
// and the closed port raised none, the closed port in the inventory and nmap's verdict. Both
// parts are written with timestamps shifted to now (the history ends as the demo starts, the
// live part just before it is read), so the console's times read as today's.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../analyzer/store/store.js';
import { getMeta } from '../analyzer/store/writes.js';
import { num } from '../cli/format.js';
import { sleep } from '../common/time.js';
import { UpError } from '../up/errors.js';
import type { System } from '../up/system.js';
import type { DemoNames } from './configs.js';
import { consoleLogin } from './console-client.js';
import { Stopped, until } from './housekeeping.js';
import { pcapFile, type Segment } from './pcap-writer.js';
import {
  BASELINE,
  CLOSED_SERVICE,
  history,
  INTERNET_CLIENT,
  live,
  NEW_SERVICE,
  SCANNED,
  SCANNER,
  SWEEP,
} from './story.js';

export interface StoryContext {
  system: System;
  store: Store;
  say(line: string): void;
  abort: AbortSignal;
  dir: string;
  names: DemoNames;
  url: string;
  account: { name: string; password: string };
  learningMs: number;
  /** whether the verifier runs (the lab was made) */
  verify: boolean;
}

const HISTORY_MS = 10 * 60_000;
const LIVE_MS = 8000;
/** between the history's last window and the live part's first (the windows are 5 s) */
const GAP_MS = 6000;
/** the sensor's publish.flushTimeout (its default): how long its stop may take */
const FLUSH_MS = 15_000;

const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 8);

/** Read one capture file through the sensor, to its end; a sensor that fails ends the demo. */
async function readThrough(c: StoryContext, file: string, segs: Segment[]): Promise<void> {
  writeFileSync(file, pcapFile(segs));
  const sensor = () => c.system.supervisor.states().find((p) => p.name === 'sensor');
  const before = sensor()?.restarts ?? 0;
  c.system.startSensor({ ifaces: [], pcap: file }, FLUSH_MS);
  const st = await until(
    `the sensor to read ${file}`,
    async () => {
      const s = sensor();
      return s && (s.state === 'done' || s.state === 'failed' || s.restarts > before) ? s : null;
    },
    60_000,
    c.abort,
    100,
  );
  if (st.state !== 'done')
    throw new UpError('DEMO_FAILED', `the sensor did not read ${file}: ${st.lastError ?? st.state}`);
}

async function learned(store: Store): Promise<number> {
  const [r] = await store.select<{ n: string }>(
    'demo baseline',
    `SELECT count() AS n FROM (SELECT ip, port FROM ${store.table('endpoint_states')} GROUP BY ip, port)`,
  );
  return Number(r?.n ?? 0);
}

async function sleepUntil(t: number, abort: AbortSignal): Promise<void> {
  while (Date.now() < t) {
    if (abort.aborted) throw new Stopped();
    await sleep(Math.min(250, t - Date.now()));
  }
}

export async function tellStory(c: StoryContext): Promise<void> {
  const { say } = c;
  const histEnd = Date.now() - 2000;
  const histStart = histEnd - HISTORY_MS;
  const closedAt = histStart + 4 * 60_000;
  const past = history(histStart, histEnd, closedAt);
  say(
    `the network's last 10 minutes (${num(past.length)} packets: ${BASELINE.services} services on ${BASELINE.hosts} servers) go through the sensor`,
  );
  say(
    `  in them, at ${clock(closedAt)}, ${CLOSED_SERVICE.name} ${CLOSED_SERVICE.ip} stopped serving telnet (port ${CLOSED_SERVICE.port})`,
  );
  await readThrough(c, join(c.dir, 'history.pcap'), past);

  const n = await until(
    'the analyzer to learn the history',
    async () => {
      const k = await learned(c.store);
      return k >= BASELINE.services ? k : null;
    },
    60_000,
    c.abort,
  );
  const firstStart = Number(await getMeta(c.store, 'first_start'));
  const learningUntil = firstStart + c.learningMs;
  if (Date.now() > learningUntil)
    say(`the history arrived after the learning period: its ${n} services were alerted as new too (a slow start)`);
  else
    say(
      `the analyzer learned them: ${n} services, no alerts (a learning period of ${c.learningMs / 1000} s stands for the days a real one learns)`,
    );

  // the live part: once learning is over, in windows of its own after the history's
  await sleepUntil(Math.max(learningUntil + 500, histEnd + GAP_MS + LIVE_MS + 1000), c.abort);
  const liveEnd = Date.now() - 1000;
  const now = live(liveEnd - LIVE_MS, liveEnd);
  say(
    `now: ${NEW_SERVICE.name} ${NEW_SERVICE.ip} starts serving port ${NEW_SERVICE.port}, and ${INTERNET_CLIENT}, on the internet, reaches it;`,
  );
  say(`     ${SCANNER} sweeps ${SCANNED}'s ports 1-${SWEEP.ports} (its open ones answer, the rest refuse)`);
  await readThrough(c, join(c.dir, 'live.pcap'), now);

  const client = await until(
    'the console login',
    () => consoleLogin(c.url, c.account.name, c.account.password),
    30_000,
    c.abort,
  );
  const alert = await until(
    'the new-service alert in the console',
    async () =>
      (await client.alerts('kind=new_service')).find((a) => a.ip === NEW_SERVICE.ip && a.port === NEW_SERVICE.port) ??
      null,
    60_000,
    c.abort,
  );
  say(`ALERT (${alert.severity}) ${alert.message}`);
  say(`  in the console: ${c.url} (Alerts), or: npx porthole alerts --database ${c.names.database}`);
  const others = (await client.alerts('')).filter((a) => a.alert_id !== alert.alert_id);
  say(
    others.length
      ? `other alerts: ${others.map((a) => a.alert_id).join(', ')}`
      : 'no other alert: the sweep found only known ports, and a port that closes is no alert',
  );
  // the closed port (the analyzer's stale sweep) and nmap's verdict, each shown as it comes
  const stale = until(
    `${CLOSED_SERVICE.ip}:${CLOSED_SERVICE.port} to go stale`,
    async () =>
      (await client.services('state=stale')).find(
        (x) => x.ip === CLOSED_SERVICE.ip && x.port === CLOSED_SERVICE.port,
      ) ?? null,
    60_000,
    c.abort,
  ).then((x) =>
    say(
      `inventory: ${CLOSED_SERVICE.ip}:${CLOSED_SERVICE.port} is stale, last answered at ${clock(x.last_seen)} (closed)`,
    ),
  );
  if (c.verify)
    say(`the verifier runs nmap -sV at ${NEW_SERVICE.ip}:${NEW_SERVICE.port} (inside the demo's namespace)`);
  const verdict = !c.verify
    ? Promise.resolve()
    : until(
        "nmap's verdict",
        async () =>
          (await client.verifications(NEW_SERVICE.ip)).find(
            (x) => x.port === NEW_SERVICE.port && x.status !== 'pending',
          ) ?? null,
        90_000,
        c.abort,
      ).then((v) => {
        const what = [v.service, v.product, v.version].filter(Boolean).join(' ');
        say(`nmap verdict: ${v.status}${what ? `, ${what}` : ''}${v.reason ? ` (nmap's reason: ${v.reason})` : ''}`);
      });
  const [a, b] = await Promise.allSettled([stale, verdict]);
  for (const r of [a, b]) if (r.status === 'rejected') throw r.reason;
}
