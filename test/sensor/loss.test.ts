// The capture-loss part of the sensor's health messages: totals, and each interval's own counts.

import { describe, expect, it } from 'vitest';
import { lossIntervals } from '../../sensor/track/loss.js';
import { emptyTrackerStats } from '../../sensor/track/tracker.js';

describe('lossIntervals', () => {
  it('gives the totals and what changed since the previous report', () => {
    const report = lossIntervals();
    const t = emptyTrackerStats();
    expect(report(t)).toEqual({
      checked: 0,
      missed_syn: 0,
      missed_synack: 0,
      interval_checked: 0,
      interval_missed: 0,
      interval_ratio: null,
    });
    Object.assign(t, { lossChecked: 100, missedSyn: 2, missedSynAck: 6 });
    expect(report(t)).toEqual({
      checked: 100,
      missed_syn: 2,
      missed_synack: 6,
      interval_checked: 100,
      interval_missed: 8,
      interval_ratio: 0.04,
    });
    Object.assign(t, { lossChecked: 150, missedSyn: 2, missedSynAck: 7 });
    expect(report(t)).toMatchObject({ checked: 150, interval_checked: 50, interval_missed: 1, interval_ratio: 0.01 });
    expect(report(t)).toMatchObject({ interval_checked: 0, interval_missed: 0, interval_ratio: null });
  });
});
