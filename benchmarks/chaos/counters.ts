// The sensor's own counters against what was offered, per incarnation: packets it counted
// against the filter-passing packets of the slots wholly inside its life (a lower bound of what
// it could see) and of the slots overlapping it (an upper bound; the real client's and nmap's
// packets come on top, hence `slack`). Its final counts come from its 'sensor stopped' line when
// it stopped cleanly, else from its last status. Pure.

import type { Incarnation } from './supervisor.js';
import type { SlotRun } from './traffic.js';

export interface SensorCounters {
  pid: number;
  ended: string;
  packets: number;
  offeredInside: number;
  offeredOverlapping: number;
  /** 1 − packets / offeredInside, when anything was offered inside */
  loss: number | null;
  droppedBeforeKafka: number;
  queueAtEnd: number;
  consistent: boolean;
}

export function sensorCounters(sensors: Incarnation[], runs: SlotRun[], slack: number, now: number): SensorCounters[] {
  return sensors
    .filter((s) => s.ready !== null)
    .map((s) => {
      const from = s.ready!;
      const to = s.ended ?? now;
      const last = (s.stopped ?? s.lastStatus ?? {}) as Record<string, number>;
      const packets = Number(last.packets ?? 0);
      let inside = 0;
      let overlapping = 0;
      for (const r of runs) {
        if (r.start >= from && r.end <= to) inside += r.matching;
        if (r.end > s.started && r.start < to) overlapping += r.matching;
      }
      return {
        pid: s.pid,
        ended: s.killedWith ?? (s.exit ? `exit ${s.exit.code ?? s.exit.signal}` : 'running'),
        packets,
        offeredInside: inside,
        offeredOverlapping: overlapping,
        loss: inside > 0 ? Math.round((1 - packets / inside) * 10_000) / 10_000 : null,
        droppedBeforeKafka: Number(last.dropped_before_kafka ?? 0),
        queueAtEnd: Number(last.queue_depth ?? 0),
        consistent: packets <= overlapping + slack,
      };
    });
}
