// Home networks matched on address words (as the sensor holds them) and on text.

import { describe, expect, it } from 'vitest';
import { DEFAULT_HOME_NETWORKS, parseHomeNetworks } from '../../schemas/zones.js';

describe('home networks', () => {
  it.each([
    ['10.255.0.1', true],
    ['11.0.0.1', false],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['192.168.0.1', true],
    ['100.64.0.1', true],
    ['100.128.0.1', false],
    ['127.0.0.1', true],
    ['169.254.9.9', true],
    ['8.8.8.8', false],
    ['fd12::1', true],
    ['fc00::', true],
    ['fe80::1', true],
    ['fec0::1', false],
    ['::1', true],
    ['::2', false],
    ['2001:db8::1', false],
    ['::ffff:10.1.1.1', true],
    ['::ffff:8.8.8.8', false],
    ['not an address', false],
  ])('default ranges: %s internal %s', (ip, internal) => {
    expect(DEFAULT_HOME_NETWORKS.internalIp(ip)).toBe(internal);
  });

  it('matches prefixes of any length, a bare address as one host, /0 as everything', () => {
    const r = parseHomeNetworks(['192.0.2.128/25', '2001:db8:0:1::/63', '198.51.100.7', '::/0']);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.internalIp('192.0.2.200')).toBe(true);
    expect(r.value.internalIp('192.0.2.127')).toBe(false);
    expect(r.value.internalIp('198.51.100.7')).toBe(true);
    expect(r.value.internalIp('198.51.100.8')).toBe(false);
    expect(r.value.internalIp('2001:db8:1:2::1')).toBe(true); // ::/0
    const v4only = parseHomeNetworks(['0.0.0.0/0']);
    expect(v4only.ok && v4only.value.internalIp('203.0.113.1')).toBe(true);
    expect(v4only.ok && v4only.value.internalIp('2001:db8::1')).toBe(false);
  });

  it('matches an IPv6 prefix across word boundaries', () => {
    const r = parseHomeNetworks(['2001:db8:0:1::/63']);
    expect(r.ok && r.value.internalIp('2001:db8:0:1:ffff::1')).toBe(true);
    expect(r.ok && r.value.internalIp('2001:db8:0:0::1')).toBe(true);
    expect(r.ok && r.value.internalIp('2001:db8:0:2::1')).toBe(false);
  });

  it('reports every bad entry', () => {
    expect(parseHomeNetworks(['1.2.3.4/', '10.0.0.0/8', '::/129', '1.2.3.4/-1'])).toEqual({
      ok: false,
      errors: ['not a CIDR: "1.2.3.4/"', 'not a CIDR: "::/129"', 'not a CIDR: "1.2.3.4/-1"'],
    });
  });
});
