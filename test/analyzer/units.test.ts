// Pure analyzer pieces: the committed DDL matches schemas/, literal escaping, CIDR policy,
// detection decisions.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Detector } from '../../analyzer/detect.js';
import { cidrRangeHex, inCidr, parseCidr } from '../../analyzer/policy.js';
import { errorCode, ident, lit, u64 } from '../../analyzer/store/compat.js';
import { schemaSql } from '../../schemas/ddl.js';
import { observation } from '../support/observations.js';

describe('generated DDL', () => {
  it('schemas/generated/clickhouse.sql is what schemas/ generates (regenerate: porthole schema > schemas/generated/clickhouse.sql)', () => {
    expect(readFileSync(new URL('../../schemas/generated/clickhouse.sql', import.meta.url), 'utf8')).toBe(schemaSql());
  });
});

describe('compat', () => {
  it('escapes literals', () => {
    expect(lit("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(lit('x\ny\0')).toBe("'x\\x0ay\\x00'");
    expect(lit(42)).toBe('42');
    expect(() => lit(NaN)).toThrow();
    expect(() => ident('db; DROP')).toThrow();
  });
  it('reads UInt64 either way and error codes from text', () => {
    expect(u64('18446744')).toBe(18446744);
    expect(u64(5)).toBe(5);
    expect(errorCode(new Error('Code: 60, e.displayText() = DB::Exception: Table x does not exist'))).toBe(60);
  });
});

describe('policy', () => {
  it('CIDR membership over both families', () => {
    const n = parseCidr('10.1.0.0/16')!;
    expect(inCidr('10.1.200.3', n)).toBe(true);
    expect(inCidr('10.2.0.1', n)).toBe(false);
    expect(inCidr('2001:db8::1', parseCidr('2001:db8::/32')!)).toBe(true);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(cidrRangeHex(parseCidr('192.0.2.0/24')!)).toEqual([
      '00000000000000000000ffffc0000200',
      '00000000000000000000ffffc00002ff',
    ]);
  });
});

describe('Detector', () => {
  const policy = {
    homeNetworks: [parseCidr('192.0.2.0/24')!],
    learningPeriodMs: 0,
    expected: [],
    highRiskPorts: new Set([22]),
    synProxyPorts: 100,
    staleAfterMs: 1000,
  };
  it('alerts once per endpoint, ignores outside addresses, reopens after stale', () => {
    const d = new Detector(policy, 0, new Set());
    const o = observation({ ip: '192.0.2.1', port: 22, window_start: 1000, first_seen: 1000, last_seen: 1500 });
    expect(
      d
        .apply([o, o, observation({ ip: '203.0.113.1', port: 80, window_start: 1000 })], 2000)
        .alerts.map((a) => a.alert_id),
    ).toEqual(['new_service|192.0.2.1|tcp|22']);
    expect(d.apply([o], 2100).alerts).toEqual([]);
    expect(d.sweepStale(10_000).map((s) => s.state)).toEqual(['stale']);
    expect(d.apply([o], 10_100).alerts).toEqual([]); // a redelivered old window does not reopen
    const r = d.apply([{ ...o, window_start: 10_000, last_seen: 10_500 }], 10_600);
    expect(r.alerts.map((a) => a.kind)).toEqual(['reopened_service']);
    expect(r.states[0].state).toBe('reopened');
  });
});
