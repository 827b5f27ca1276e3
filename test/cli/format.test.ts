// The CLI's number formatting: thousands separators as en-US prints them, without ICU.

import { describe, expect, it } from 'vitest';
import { num } from '../../cli/format.js';

describe('num', () => {
  it('groups digits by three, as toLocaleString("en-US") does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 5_500_000, 123_456_789_012, -1234, 1234.6]) {
      expect(num(n), String(n)).toBe(Math.round(n).toLocaleString('en-US'));
    }
  });
});
