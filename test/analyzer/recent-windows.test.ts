// A sensor's resend is recognised by its key for the horizon after its original was stored, and
// a batch's own repeats count once; what is older than the horizon, or past the key limit, is not.

import { describe, expect, it } from 'vitest';
import { RecentWindows } from '../../analyzer/recent-windows.js';
import { observation } from '../support/observations.js';

describe('recent windows', () => {
  const o = (ip: string, w = 0) => observation({ ip, port: 443, window_start: w });

  it('drops a batch’s repeats and what was stored within the horizon', () => {
    const r = new RecentWindows(60_000, 100);
    const batch = [o('192.0.2.1'), o('192.0.2.1'), o('192.0.2.2')];
    const fresh = r.fresh(batch, 0);
    expect(fresh).toEqual([batch[0], batch[2]]);
    expect(r.fresh(batch, 0)).toHaveLength(2); // nothing is remembered until it is stored
    r.stored(fresh, 0);
    expect(
      r.fresh([o('192.0.2.1'), o('192.0.2.1', 5000), { ...o('192.0.2.2'), sensor: 'other' }], 30_000),
    ).toHaveLength(2);
    expect(r.fresh([o('192.0.2.1')], 30_000)).toEqual([]);
    expect(r.fresh([o('192.0.2.1')], 61_000)).toHaveLength(1); // past the horizon
    expect(r.held).toBe(0);
  });

  it('holds at most maxKeys, the oldest going first', () => {
    const r = new RecentWindows(60_000, 10);
    for (let i = 0; i < 4; i++)
      r.stored(
        Array.from({ length: 5 }, (_, j) => o(`192.0.2.${i * 5 + j}`)),
        i * 7000,
      );
    expect(r.held).toBeLessThanOrEqual(10);
    expect(r.fresh([o('192.0.2.0')], 28_000)).toHaveLength(1); // the oldest bucket went
    expect(r.fresh([o('192.0.2.19')], 28_000)).toEqual([]);
  });
});
