// libpcap's counters as totals since the start: over several interfaces, over reopens (each open
// counts from zero), and past the 32-bit wrap of pcap_stats.

import { describe, expect, it } from 'vitest';
import { counterIncrease, DropCounters } from '../../sensor/capture/drop-counters.js';

const st = (ps_recv: number, ps_drop: number, ps_ifdrop = 0) => ({ ps_recv, ps_drop, ps_ifdrop });

describe('DropCounters', () => {
  it('adds what each read grew by, over interfaces and reopens', () => {
    const d = new DropCounters(2);
    d.update(0, st(10, 1));
    d.update(0, st(15, 3, 2));
    d.update(1, st(7, 0));
    d.update(1, null); // not open now: nothing to add
    expect(d.totals()).toEqual({ received: 22, dropped: 3, ifDropped: 2 });
    d.reopened(0); // the interface came back: its new open counts from zero
    d.update(0, st(4, 1));
    expect(d.totals()).toEqual({ received: 26, dropped: 4, ifDropped: 2 });
  });

  it('counts across the 32-bit wrap', () => {
    expect(counterIncrease(2 ** 32 - 5, 3)).toBe(8);
    const d = new DropCounters(1);
    d.update(0, st(2 ** 32 - 1, 0));
    d.update(0, st(9, 0));
    expect(d.totals().received).toBe(2 ** 32 + 9);
  });
});
