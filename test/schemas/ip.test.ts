// IPv6 text against an independent implementation of RFC 5952's compression: the WHATWG URL
// host serializer (longest run of two or more zero groups, first on ties, lowercase hex).

import { describe, expect, it } from 'vitest';
import { ipv6Text, parseIp } from '../../schemas/ip.js';

function whatwg(b: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

describe('ipv6Text', () => {
  it('matches the URL serializer on 20,000 addresses rich in zero runs', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const b = new Uint8Array(16);
    for (let n = 0; n < 20_000; n++) {
      for (let i = 0; i < 8; i++) {
        const r = rnd();
        const v = r < 0.5 ? 0 : r < 0.6 ? 1 : Math.floor(rnd() * 65536);
        b[2 * i] = v >> 8;
        b[2 * i + 1] = v & 0xff;
      }
      if (b[10] === 0xff && b[11] === 0xff) b[11] = 0; // IPv4-mapped: a separate case below
      expect(ipv6Text(b, 0)).toBe(whatwg(b));
    }
  });

  it('keeps the dotted tail of IPv4-mapped addresses and round-trips through parseIp', () => {
    for (const text of [
      '::ffff:192.0.2.1',
      '::',
      '::1',
      '1::',
      '2001:db8::1:0:0:1',
      '2001:0:0:1::1',
      'fe80::1:2:3:4',
    ]) {
      const b = parseIp(text)!;
      expect(ipv6Text(b, 0)).toBe(text);
    }
  });
});
