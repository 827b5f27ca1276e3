// libpcap's counters (pcap_stats) as totals since the sensor started, over every interface and
// every open of it: each open counts from zero, and the counters are unsigned 32-bit numbers
// that wrap, so only their increase between two reads of the same open is added (pure).

import type { PcapStats } from './live-source.js';

export interface CaptureCounters {
  received: number; // ps_recv: frames that passed the kernel filter (including those dropped)
  dropped: number; // ps_drop: dropped by the kernel, the capture buffer being full
  ifDropped: number; // ps_ifdrop: dropped by the interface or its driver
}

const WRAP = 2 ** 32;

/** How much a wrapping 32-bit counter grew from `before` to `now`. */
export function counterIncrease(before: number, now: number): number {
  return (now - before + WRAP) % WRAP;
}

export class DropCounters {
  private readonly last: Array<PcapStats | null>;
  private readonly total: CaptureCounters = { received: 0, dropped: 0, ifDropped: 0 };

  constructor(interfaces: number) {
    this.last = new Array<PcapStats | null>(interfaces).fill(null);
  }

  /** A read of interface `i`'s current open (null: not open now). */
  update(i: number, s: PcapStats | null): void {
    if (!s) return;
    const l = this.last[i];
    this.total.received += counterIncrease(l?.ps_recv ?? 0, s.ps_recv);
    this.total.dropped += counterIncrease(l?.ps_drop ?? 0, s.ps_drop);
    this.total.ifDropped += counterIncrease(l?.ps_ifdrop ?? 0, s.ps_ifdrop);
    this.last[i] = s;
  }

  /** Interface `i` was closed: its next open counts from zero. */
  reopened(i: number): void {
    this.last[i] = null;
  }

  totals(): CaptureCounters {
    return { ...this.total };
  }
}
