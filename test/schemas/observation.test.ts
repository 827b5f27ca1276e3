// The Observation schema's validator and the canonical address text it relies on.

import { describe, expect, it } from 'vitest';
import { canonicalIp } from '../../schemas/ip.js';
import { validateObservation } from '../../schemas/observation.js';

const good = {
  v: 1,
  sensor: 's1',
  ip: '2001:db8::1',
  port: 443,
  proto: 'tcp',
  window_start: 0,
  first_seen: 1,
  last_seen: 2,
  handshakes: 1,
  clients: 1,
  sample_client: '192.0.2.1',
  evidence: 'handshake',
  vlan: null,
  ttl: 64,
  tcp_window: 65535,
  mss: 1460,
};

describe('Observation', () => {
  it('accepts a valid message', () => {
    expect(validateObservation(good)).toEqual({ ok: true, value: good });
  });

  it('reports every problem at once, naming fields', () => {
    const r = validateObservation({
      ...good,
      v: 2,
      port: 70000,
      ip: '2001:DB8::1',
      evidence: 'maybe',
      sensor: undefined,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(5);
      expect(r.errors.join('\n')).toMatch(/v: must be 1/);
      expect(r.errors.join('\n')).toMatch(/ip: not canonical .*2001:db8::1/);
      expect(r.errors.join('\n')).toMatch(/port: must be an integer 0..65535/);
    }
  });

  it('rejects non-objects', () => {
    expect(validateObservation('x').ok).toBe(false);
    expect(validateObservation([good]).ok).toBe(false);
  });
});

describe('canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['10.0.100.9', '10.0.100.9'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['fe80::1:2', 'fe80::1:2'],
  ])('%s -> %s', (a, b) => expect(canonicalIp(a)).toBe(b));

  it.each([
    '',
    '1.2.3',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.4.',
    '.1.2.3',
    '1..2.3',
    '1.2.3.4 ',
    '1.2.3.1000',
    '1.2.3.00',
    '1.2.3.-1',
    '1.2.3.4.5',
    '1::2::3',
    'fe80::1%eth0',
    'gggg::',
    '1:2:3:4:5:6:7:8:9',
  ])('%s is refused', (a) => expect(canonicalIp(a)).toBeNull());
});
