// The chaos soak, end to end: its own Kafka and ClickHouse, the mirror lab, `porthole sensor`,
// `analyzer` and `verifier`; slots of mirrored traffic and the fault loop until the deadline;
// then the sensor stopped cleanly, the analyzer's lag drained, and the inventory, alerts,
// counters, memory and crashes judged against the truth. Everything it made is removed at the
// end, failed or not. Bounded: each phase has a deadline.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sleep } from '../../common/time.js';
import { SERVER_V4 } from '../../test/support/netns.js';
import { BIN } from '../../test/support/porthole.js';
import { judge } from './check.js';
import { sensorCounters } from './counters.js';
import { type FaultLoop, runFaults } from './faults.js';
import { type Attempt, type ChaosLab, createChaosLab, SCANNER } from './lab.js';
import { deliveredAlerts, groupLag, inventory, storedAlerts } from './queries.js';
import { type RssSample, rssTrends, sampleRss } from './rss.js';
import { makeSchedule } from './schedule.js';
import { type OwnServices, ownServices } from './services.js';
import { createSupervisor, type Role, type Supervisor } from './supervisor.js';
import { backgroundCapture, handshakeRecords, matchingPackets, replay, type SlotRun, writeCapture } from './traffic.js';
import { classify, scheduledTimes, sensorCover } from './truth.js';
import type { SoakOptions, SoakResult } from './types.js';

const ROOT = dirname(dirname(BIN));
const POOL = 8;
const WINDOW_MS = 2000;
const REAL_PORTS = [8080, 2222];
const LATE_PORT = 6380; // starts serving at 40% of the run
const CLOSED_PORT = 7007; // never serves

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'porthole-chaos-'));
  let services: OwnServices | null = null;
  let lab: ChaosLab | null = null;
  let sup: Supervisor | null = null;
  let stopRss = (): void => {};
  try {
    services = await ownServices(ROOT);
    const svc = services;
    // the services start while the traffic is made (each start waits for its port), one after
    // the other: the first `local.sh up` makes the home's CA and certificates, which two at once race on
    const up = svc.up('clickhouse').then(() => svc.up('kafka'));
    up.catch(() => {}); // awaited below; a failure is reported there
    lab = createChaosLab();
    const slotsMax = Math.ceil((3 * o.minutes * 60) / o.slotSeconds);
    const schedule = makeSchedule({ slots: slotsMax, perSlot: o.perSlot, reopenGap: o.reopenGapSlots });
    const pool: Buffer[] = [];
    const poolMatching: number[] = [];
    for (let p = 0; p < POOL; p++) {
      pool.push(backgroundCapture(schedule.background, o.pps * o.slotSeconds, p));
      writeCapture(join(tmp, 'bg.pcap'), [pool[p]]);
      poolMatching.push(matchingPackets(join(tmp, 'bg.pcap')));
    }
    await up;
    o.log('services up, traffic made');
    const common = { PORTHOLE_KAFKA_BROKERS: svc.brokers.join(','), PORTHOLE_CLICKHOUSE_URL: svc.clickhouseUrl };
    const analyzerEnv = {
      ...common,
      PORTHOLE_POLICY_HOME_NETWORKS: '10.77.0.0/16,192.0.2.0/24',
      PORTHOLE_POLICY_FIRST_START_LIMIT: '0',
      PORTHOLE_POLICY_STALE_AFTER: o.staleAfter,
      PORTHOLE_POLICY_SCANNER_ADDRESSES: SCANNER,
      PORTHOLE_VERIFY_ALLOWED_NETWORKS: '192.0.2.0/24',
      PORTHOLE_VERIFY_NMAP_COMMAND: `ip,netns,exec,${lab.lab.cli},nmap`,
      PORTHOLE_VERIFY_HOST_TIMEOUT: '20s',
      PORTHOLE_VERIFY_VERSION_INTENSITY: '2',
    };
    sup = createSupervisor(
      { sensor: ['--iface', lab.monitor], analyzer: [], verifier: [] },
      {
        sensor: {
          ...common,
          PORTHOLE_SENSOR_ID: 'chaos',
          PORTHOLE_TRACK_WINDOW: `${WINDOW_MS}ms`,
          PORTHOLE_STATUS_INTERVAL: '2s',
        },
        analyzer: analyzerEnv,
        verifier: analyzerEnv,
      },
    );
    const s = sup;
    const samples: RssSample[] = [];
    const roles: Role[] = ['sensor', 'analyzer', 'verifier'];
    stopRss = sampleRss(
      () => [
        ...roles.map((r): [string, number | null] => [r, s.current(r)?.pid ?? null]),
        ['kafka', svc.pid('kafka')],
        ['clickhouse', svc.pid('clickhouse')],
      ],
      o.rssEverySeconds * 1000,
      samples,
    );
    for (const r of ['analyzer', 'verifier', 'sensor'] as const) await s.start(r);
    o.log('all processes ready; traffic and faults start');

    const t0 = Date.now();
    const deadline = t0 + o.minutes * 60_000;
    // the run ends at the deadline once every fault has come at least `minRounds` times, and at
    // three times the planned length in any case
    const faultKinds = o.faults.filter((f) => o.ifaceLoss || f !== 'iface-delete');
    let rounds = 0;
    const done = (): boolean =>
      Date.now() >= t0 + 3 * o.minutes * 60_000 || (Date.now() >= deadline && rounds >= o.minRounds);
    const attempts: Attempt[] = [];
    lab.serve(REAL_PORTS);
    const clientProc = lab.connect([...REAL_PORTS, LATE_PORT, CLOSED_PORT], 3, 3 * o.minutes * 60, attempts);
    const late = setTimeout(() => lab!.serve([LATE_PORT]), o.minutes * 60_000 * 0.4);
    const runs: SlotRun[] = [];
    const cl = lab;
    const traffic = (async () => {
      for (let slot = 0; !done() && slot < slotsMax; slot++) {
        const file = join(tmp, 'slot.pcap');
        const hs = schedule.inSlot(slot);
        writeCapture(file, [handshakeRecords(hs, slot), pool[slot % POOL]]);
        const start = Date.now();
        const sent = await replay(cl.lab.cli, cl.clientIface, file, o.pps);
        runs.push({ slot, start, end: Date.now(), sent, matching: poolMatching[slot % POOL] + 3 * hs.length });
      }
    })();
    const faults: FaultLoop = runFaults({
      faults: faultKinds,
      onRound: () => rounds++,
      everyMs: o.faultEverySeconds * 1000,
      holdMs: o.holdSeconds * 1000,
      // a sensor polls a lost interface with a backoff of up to 5 s: the time until the poll
      // after its return counts as missing (conservative: it only makes endpoints uncertain)
      reopenMs: 6000,
      services: svc,
      sup: s,
      lab,
      done,
      log: o.log,
    });
    await Promise.all([traffic, faults.finished]);
    clearTimeout(late);
    clientProc.kill('SIGKILL');
    o.log(`traffic over (${runs.length} slots); draining`);

    // the last windows close and go out; then a clean stop flushes the sensor's queue
    await sleep(WINDOW_MS + 4000);
    await s.kill('sensor', 'SIGTERM');
    const drained = await drain(svc.brokers, o.drainSeconds * 1000);
    const realKeys = new Set([...REAL_PORTS, LATE_PORT].map((p) => `${SERVER_V4}:${p}`));
    let inv = inventory(svc.clickhouseUrl, 'porthole');
    for (const end = Date.now() + o.drainSeconds * 1000; Date.now() < end; await sleep(5000)) {
      inv = inventory(svc.clickhouseUrl, 'porthole');
      const pending = inv.filter((r) => realKeys.has(`${r.ip}:${r.port}`) && r.verification?.status === 'pending');
      if (pending.length === 0) break;
    }
    const alerts = await storedAlerts(svc.clickhouseUrl, 'porthole');
    const delivered = await deliveredAlerts(svc.brokers, 'porthole.alerts');
    const now = Date.now();
    await s.stopAll();
    stopRss();

    const sensors = s.incarnations.filter((i) => i.role === 'sensor');
    const cover = sensorCover(sensors, faults.ifaceGone, WINDOW_MS + 2000, now);
    const realTimes = [...REAL_PORTS, LATE_PORT, CLOSED_PORT].map((port) => ({
      ip: SERVER_V4,
      port,
      exposures: [attempts.filter((a) => a.port === port && a.ok).map((a) => ({ from: a.t, to: a.t + 2000 }))],
    }));
    const closedPorts = schedule.background.map((e) => ({ ip: e.ip, port: 81, exposures: [] }));
    const truth = classify(
      [...scheduledTimes([...schedule.background, ...schedule.transient], runs), ...realTimes, ...closedPorts],
      cover,
    );
    return {
      options: { ...o, log: undefined },
      startedAt: new Date(t0).toISOString(),
      minutes: (now - t0) / 60_000,
      slots: {
        count: runs.length,
        sent: runs.reduce((a, r) => a + r.sent, 0),
        matching: runs.reduce((a, r) => a + r.matching, 0),
        pps: Math.round(runs.reduce((a, r) => a + r.sent, 0) / (runs.reduce((a, r) => a + r.end - r.start, 0) / 1000)),
      },
      faults: faults.events,
      ifaceGone: faults.ifaceGone,
      cover,
      drained,
      verdict: judge(truth, inv, alerts, delivered, realKeys),
      counters: sensorCounters(sensors, runs, 20_000, now),
      exits: s.incarnations.map((i) => ({
        role: i.role,
        pid: i.pid,
        lifeS: Math.round(((i.ended ?? now) - i.started) / 1000),
        killedWith: i.killedWith,
        exit: i.exit,
        crashLines: i.crashLines,
        problems: i.problems,
        stderrTail: i.killedWith === null ? i.stderrTail : '',
      })),
      rss: rssTrends(samples, o.warmupSeconds * 1000, 1),
      rssSamples: samples,
    };
  } finally {
    await sup?.stopAll();
    stopRss();
    lab?.cleanup();
    await services?.remove();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Waits until the analyzer's group has committed every Observation (twice in a row, 5 s apart). */
async function drain(brokers: string[], ms: number): Promise<boolean> {
  let zeros = 0;
  for (const end = Date.now() + ms; Date.now() < end; await sleep(5000)) {
    try {
      zeros = (await groupLag(brokers, 'porthole-analyzer', 'porthole.observations')) === 0 ? zeros + 1 : 0;
    } catch {
      zeros = 0;
    }
    if (zeros >= 2) return true;
  }
  return false;
}
