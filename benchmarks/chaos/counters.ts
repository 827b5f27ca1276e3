// The sensor's own counters against what was offered, per incarnation: the packets it counted
// against the filter-passing packets offered between its ready line and the time of those counts
// (its 'sensor stopped' line when it stopped cleanly, else its last status), a slot that only
// partly overlaps counted pro rata (tcpreplay --pps spreads a slot's packets evenly). The real
// client's and nmap's packets come on top, hence `slack` in the consistency bound. Pure.

import type { Incarnation } from './supervisor.js';
import type { SlotRun } from './traffic.js';

export interface SensorCounters {
  pid: number;
  ended: string;
  packets: number;
  /** filter-passing packets offered while it was counting */
  offered: number;
  /** 1 − packets / offered; negative when it counted more (the real client's and nmap's packets) */
  loss: number | null;
  droppedBeforeKafka: number;
  queueAtEnd: number;
  consistent: boolean;
}

export function sensorCounters(sensors: Incarnation[], runs: SlotRun[], slack: number, now: number): SensorCounters[] {
  return sensors
    .filter((s) => s.ready !== null)
    .map((s) => {
      const last = (s.stopped ?? s.lastStatus ?? {}) as Record<string, number>;
      const from = s.ready!;
      const to = Number(last.ts ?? s.ended ?? now);
      const packets = Number(last.packets ?? 0);
      let offered = 0;
      for (const r of runs) {
        const overlap = Math.min(r.end, to) - Math.max(r.start, from);
        if (overlap > 0) offered += (r.matching * overlap) / Math.max(1, r.end - r.start);
      }
      offered = Math.round(offered);
      return {
        pid: s.pid,
        ended: s.killedWith ?? (s.exit ? `exit ${s.exit.code ?? s.exit.signal}` : 'running'),
        packets,
        offered,
        loss: offered > 0 ? Math.round((1 - packets / offered) * 10_000) / 10_000 : null,
        droppedBeforeKafka: Number(last.dropped_before_kafka ?? 0),
        queueAtEnd: Number(last.queue_depth ?? 0),
        consistent: packets <= offered * 1.05 + slack,
      };
    });
}
