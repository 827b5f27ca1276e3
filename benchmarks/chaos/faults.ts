// The fault loop: every `everyMs`, the next fault in turn — Kafka or ClickHouse SIGKILLed and
// started again after `holdMs`, the analyzer or verifier SIGKILLed and restarted, the sensor
// stopped with SIGTERM or SIGKILL and restarted, the capture interface deleted and re-created
// after `holdMs`. Each fault waits for its recovery (the ready line, or local.sh up) before the
// loop goes on, so faults never overlap; the loop ends when `done()` says so.

import { sleep } from '../../common/time.js';
import type { ChaosLab } from './lab.js';
import type { OwnServices } from './services.js';
import type { Supervisor } from './supervisor.js';
import type { Interval } from './truth.js';

export const FAULTS = [
  'kafka-kill',
  'clickhouse-kill',
  'analyzer-kill',
  'verifier-kill',
  'sensor-term',
  'sensor-kill',
  'iface-delete',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultEvent {
  fault: Fault;
  at: number;
  recovered: number | null;
  /** the sensor's send queue at its last status before it was killed */
  queueBefore?: unknown;
  error?: string;
}

export interface FaultLoop {
  events: FaultEvent[];
  ifaceGone: Interval[];
  finished: Promise<void>;
}

export function runFaults(o: {
  faults: readonly Fault[];
  everyMs: number;
  holdMs: number;
  reopenMs: number;
  services: OwnServices;
  sup: Supervisor;
  lab: ChaosLab;
  done: () => boolean;
  /** called each time every fault has come once more */
  onRound: () => void;
  log: (s: string) => void;
}): FaultLoop {
  const events: FaultEvent[] = [];
  const ifaceGone: Interval[] = [];
  const restart = async (role: 'sensor' | 'analyzer' | 'verifier', sig: NodeJS.Signals, ev: FaultEvent) => {
    const inc = await o.sup.kill(role, sig);
    if (role === 'sensor') ev.queueBefore = inc?.lastStatus?.queue_depth;
    await o.sup.start(role);
  };
  const act: Record<Fault, (ev: FaultEvent) => Promise<void>> = {
    'kafka-kill': async () => {
      await o.services.kill('kafka');
      await sleep(o.holdMs);
      await o.services.up('kafka');
    },
    'clickhouse-kill': async () => {
      await o.services.kill('clickhouse');
      await sleep(o.holdMs);
      await o.services.up('clickhouse');
    },
    'analyzer-kill': (ev) => restart('analyzer', 'SIGKILL', ev),
    'verifier-kill': (ev) => restart('verifier', 'SIGKILL', ev),
    'sensor-term': (ev) => restart('sensor', 'SIGTERM', ev),
    'sensor-kill': (ev) => restart('sensor', 'SIGKILL', ev),
    'iface-delete': async () => {
      const gone: Interval = { from: Date.now(), to: Number.POSITIVE_INFINITY };
      ifaceGone.push(gone);
      o.lab.deleteMonitor();
      await sleep(o.holdMs);
      o.lab.createMonitor();
      // the sensor takes the interface back when it next looks for it: until `reopenMs` later the
      // time counts as missing (a sensor that died meanwhile is not covered until ready anyway)
      gone.to = Date.now() + o.reopenMs;
    },
  };
  const finished = (async () => {
    for (let i = 0; ; i++) {
      for (const end = Date.now() + o.everyMs; Date.now() < end && !o.done(); ) await sleep(250);
      if (o.done()) return;
      const ev: FaultEvent = { fault: o.faults[i % o.faults.length], at: Date.now(), recovered: null };
      events.push(ev);
      o.log(`fault ${ev.fault}`);
      try {
        await act[ev.fault](ev);
        ev.recovered = Date.now();
      } catch (err) {
        ev.error = err instanceof Error ? err.message : String(err);
        o.log(`fault ${ev.fault} failed: ${ev.error}`);
      }
      if ((i + 1) % o.faults.length === 0) o.onRound();
    }
  })();
  return { events, ifaceGone, finished };
}
