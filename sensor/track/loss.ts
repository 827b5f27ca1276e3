// The capture-loss estimate of the sensor's health messages: from the tracker's cumulative
// counts of checked handshakes (tracker.ts), the totals and the interval since the previous
// report. It estimates what the sensor did not get, whatever the cause (kernel or SPAN drops, a
// path the mirror does not cover), from the handshakes it can check: those whose client ACK or RST
// it saw. Limits: a handshake missing both its SYN and its SYN+ACK is not checked (the estimate
// is low when loss is high); a mirror of the servers' side only checks nothing (unknown); one of
// the clients' side only misses every SYN+ACK; client ACKs themselves are not checked.

import { captureLoss } from '../../schemas/observation.js';
import type { HandshakeLoss } from '../../schemas/status.js';
import type { TrackerStats } from './tracker.js';

/** A reporter: each call gives the totals so far and what changed since its previous call. */
export function lossIntervals(): (t: TrackerStats) => HandshakeLoss {
  let checked = 0;
  let missed = 0;
  return (t) => {
    const m = t.missedSyn + t.missedSynAck;
    const r: HandshakeLoss = {
      checked: t.lossChecked,
      missed_syn: t.missedSyn,
      missed_synack: t.missedSynAck,
      interval_checked: t.lossChecked - checked,
      interval_missed: m - missed,
      interval_ratio: captureLoss(t.lossChecked - checked, m - missed),
    };
    checked = t.lossChecked;
    missed = m;
    return r;
  };
}
