// What the inventory must hold after the soak, from the schedule, the replayed slots and the
// recorded outages. The sensor covers the time from each incarnation's ready line to its end
// (less `lossMs` when it did not stop cleanly: its open window and send queue die with it), minus
// the time the capture interface was missing. An exposure is `sure` when one of its handshakes
// was offered wholly inside that cover, `uncertain` when it was offered but never wholly inside
// (counted, not guessed), and absent when never offered. Pure.

import type { Endpoint } from './schedule.js';
import type { Incarnation } from './supervisor.js';
import type { SlotRun } from './traffic.js';

export interface Interval {
  from: number;
  to: number;
}

export interface EndpointTruth {
  ip: string;
  port: number;
  sure: number;
  uncertain: number;
}

export function sensorCover(sensors: Incarnation[], ifaceGone: Interval[], lossMs: number, now: number): Interval[] {
  const up: Interval[] = [];
  for (const s of sensors) {
    if (s.ready === null) continue;
    const clean = s.killedWith === 'SIGTERM' && s.exit?.code === 0;
    const end = s.ended ?? now;
    up.push({ from: s.ready, to: clean ? end : end - lossMs });
  }
  return subtract(up, ifaceGone);
}

/** `a` minus every interval of `b`. */
export function subtract(a: Interval[], b: Interval[]): Interval[] {
  let out = a.filter((i) => i.to > i.from);
  for (const cut of b) {
    out = out.flatMap((i) => {
      if (cut.to <= i.from || cut.from >= i.to) return [i];
      const parts: Interval[] = [];
      if (cut.from > i.from) parts.push({ from: i.from, to: cut.from });
      if (cut.to < i.to) parts.push({ from: cut.to, to: i.to });
      return parts;
    });
  }
  return out;
}

export const inside = (t: Interval, cover: Interval[]): boolean => cover.some((c) => c.from <= t.from && t.to <= c.to);

/** Each endpoint's exposures, each given as the times its handshakes were offered. */
export function classify(
  endpoints: Array<{ ip: string; port: number; exposures: Interval[][] }>,
  cover: Interval[],
): EndpointTruth[] {
  return endpoints.map((e) => {
    let sure = 0;
    let uncertain = 0;
    for (const times of e.exposures) {
      if (times.some((t) => inside(t, cover))) sure++;
      else if (times.length > 0) uncertain++;
    }
    return { ip: e.ip, port: e.port, sure, uncertain };
  });
}

/** Scheduled endpoints' exposures as the wall-clock intervals of the slots that were replayed. */
export function scheduledTimes(
  endpoints: Endpoint[],
  runs: SlotRun[],
): Array<{ ip: string; port: number; exposures: Interval[][] }> {
  const bySlot = new Map(runs.map((r) => [r.slot, { from: r.start, to: r.end }]));
  return endpoints.map((e) => ({
    ip: e.ip,
    port: e.port,
    exposures: e.exposures.map(([a, b]) => {
      const times: Interval[] = [];
      for (let s = a; s < b; s++) if (bySlot.has(s)) times.push(bySlot.get(s)!);
      return times;
    }),
  }));
}
