// Expected-service rules as text: parsing to a canonical rule, the malformed ones refused with
// the reason, and the overlap test that keeps stored rules disjoint.

import { describe, expect, it } from 'vitest';
import { overlaps, parseRule, type Rule } from '../../analyzer/expected-rules.js';
import { isExpected } from '../../analyzer/policy.js';

const rule = (t: string): Rule => {
  const r = parseRule(t);
  if ('error' in r) throw new Error(r.error);
  return r;
};

describe('parseRule', () => {
  it('canonical ids: the network masked to its prefix, IPv6 in RFC 5952 form', () => {
    expect(rule('10.1.2.3/16:443').id).toBe('10.1.0.0/16:443');
    expect(rule(' 192.0.2.7:22 ').id).toBe('192.0.2.7/32:22');
    expect(rule('2001:DB8:0:0::1/32:8443').id).toBe('2001:db8::/32:8443');
    expect(rule('2001:db8::1/128:80').id).toBe('2001:db8::1/128:80');
    expect(rule('0.0.0.0/0:53').id).toBe('0.0.0.0/0:53');
    expect(rule('10.0.0.0/8:65535').port).toBe(65535);
  });

  it('refuses malformed rules with the reason', () => {
    const why = (t: string) => {
      const r = parseRule(t);
      return 'error' in r ? r.error : 'parsed';
    };
    expect(why('10.0.0.0/33:80')).toMatch(/bad network/);
    expect(why('10.0.0.0/8:0')).toMatch(/port must be 1\.\.65535/);
    expect(why('10.0.0.0/8:65536')).toMatch(/port must be 1\.\.65535/);
    expect(why('10.0.0.0/8:http')).toMatch(/port must be/);
    expect(why('10.0.0.0/8')).toMatch(/no port/);
    expect(why('10.0.0.0/8:')).toMatch(/port must be/);
    expect(why(':80')).toMatch(/no port/);
    expect(why('2001:db8::/32')).toMatch(/IPv6 network needs its \/prefix/);
    expect(why('2001:db8::1:443')).toMatch(/IPv6 network needs its \/prefix/);
    expect(why('10.0.0.256/32:80')).toMatch(/bad network/);
    expect(why('10.0.0.0/8:80:80')).toMatch(/bad network/);
  });

  it('a parsed rule matches what policy.isExpected matches', () => {
    const r = rule('10.1.2.3/16:443');
    expect(isExpected('10.1.200.9', 443, [r])).toBe(true);
    expect(isExpected('10.2.0.1', 443, [r])).toBe(false);
    expect(isExpected('10.1.0.1', 80, [r])).toBe(false);
  });
});

describe('overlaps', () => {
  it('same port and one network inside the other, either way round', () => {
    expect(overlaps(rule('10.1.0.0/16:443'), rule('10.1.2.0/24:443'))).toBe(true);
    expect(overlaps(rule('10.1.2.0/24:443'), rule('10.1.0.0/16:443'))).toBe(true);
    expect(overlaps(rule('10.1.0.0/16:443'), rule('10.1.0.0/16:443'))).toBe(true);
    expect(overlaps(rule('0.0.0.0/0:443'), rule('192.0.2.1/32:443'))).toBe(true);
    expect(overlaps(rule('2001:db8::/32:22'), rule('2001:db8:1::/48:22'))).toBe(true);
  });
  it('another port, or disjoint networks, or another family: no overlap', () => {
    expect(overlaps(rule('10.1.0.0/16:443'), rule('10.1.2.0/24:80'))).toBe(false);
    expect(overlaps(rule('10.1.0.0/16:443'), rule('10.2.0.0/16:443'))).toBe(false);
    expect(overlaps(rule('10.1.2.0/25:443'), rule('10.1.2.128/25:443'))).toBe(false);
    expect(overlaps(rule('10.0.0.0/8:443'), rule('2001:db8::/32:443'))).toBe(false);
  });
});
