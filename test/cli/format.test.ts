// The CLI's number formatting: thousands separators as en-US prints them, without ICU; JSON
// lines made with one JSON.stringify.

import { describe, expect, it } from 'vitest';
import { jsonLines, num } from '../../cli/format.js';
import type { Observation } from '../../schemas/observation.js';

describe('num', () => {
  it('groups digits by three, as toLocaleString("en-US") does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 5_500_000, 123_456_789_012, -1234, 1234.6]) {
      expect(num(n), String(n)).toBe(Math.round(n).toLocaleString('en-US'));
    }
  });
});

describe('jsonLines', () => {
  const base: Observation = {
    v: 1,
    sensor: 'replay',
    ip: '192.0.2.1',
    port: 443,
    proto: 'tcp',
    window_start: 1767225600000,
    first_seen: 1767225600000,
    last_seen: 1767225601000,
    handshakes: 3,
    clients: 2,
    sample_client: '198.51.100.7',
    evidence: 'handshake',
    vlan: null,
    ttl: 64,
    tcp_window: 64240,
    mss: null,
  };
  it('prints what JSON.stringify gives for each, one per line', () => {
    // sensor ids holding the separator, quotes, backslashes, newlines and non-ASCII text
    const sensors = ['a},{"v":1', '},{"v":', '"}\n{"v":', 'x\\},{"v":2', 'line\nbreak', 'näive ☃', ''];
    const obs = sensors.map((sensor, i) => ({ ...base, sensor, port: i, vlan: i % 2 ? 7 : null }));
    expect(jsonLines(obs)).toBe(obs.map((o) => `${JSON.stringify(o)}\n`).join(''));
    expect(jsonLines(obs).split('\n')).toHaveLength(obs.length + 1);
  });
  it('prints nothing for no Observations', () => {
    expect(jsonLines([])).toBe('');
  });
});
