// Storm control: alerts beyond what a sink should receive one by one are grouped per network
// (or host), never more messages than the sink's tokens, and every waiting alert is in the plan
// exactly once when tokens allow.

import { describe, expect, it } from 'vitest';
import { DIGEST_MAX_ALERTS, digestNetwork, plan, type StormAlert, TokenBucket } from '../../analyzer/alert/storm.js';

const alert = (ip: string, port: number, ts = 1000, severity = 'medium'): StormAlert => ({
  alert_id: `new_service|${ip}|tcp|${port}`,
  ts,
  kind: 'new_service',
  severity,
  ip,
  proto: 'tcp',
  port,
  message: `new service ${ip}:${port}`,
});

const members = (d: ReturnType<typeof plan>): string[] =>
  d.flatMap((x) => ('single' in x ? [x.single.alert_id] : x.digest.alerts.map((a) => a.alert_id)));

describe('storm control', () => {
  it('groups by /24 and /64, or by host when one host holds them all', () => {
    expect(digestNetwork('10.1.2.77')).toBe('10.1.2.0/24');
    expect(digestNetwork('2001:db8:0:5:1::9')).toBe('2001:db8:0:5::/64');
    const waiting = [
      ...Array.from({ length: 37 }, (_, i) => alert(`10.1.2.${i + 1}`, 443)),
      ...Array.from({ length: 5 }, (_, i) => alert('10.9.9.9', 8000 + i, 2000, i === 3 ? 'high' : 'low')),
      alert('192.168.7.1', 22),
    ];
    const p = plan('webhook:x', waiting, 10, 20);
    expect(p.length).toBe(3);
    const [a, b, c] = p;
    expect('digest' in a && a.digest.message).toBe('37 new services on 10.1.2.0/24 in 1 min (37 hosts)');
    expect('digest' in b && b.digest.scope).toBe('10.9.9.9');
    expect('digest' in b && b.digest.severity).toBe('high');
    expect('single' in c && c.single.ip).toBe('192.168.7.1');
    expect(members(p).sort()).toEqual(waiting.map((w) => w.alert_id).sort());
  });

  it('sends one by one below the threshold, never more messages than tokens', () => {
    const few = [alert('10.0.0.1', 80), alert('10.0.0.2', 80)];
    expect(plan('s', few, 10, 20).every((x) => 'single' in x)).toBe(true);
    const many = Array.from({ length: 500 }, (_, i) => alert(`10.${i % 50}.0.1`, 80));
    const p = plan('s', many, 7, 20);
    expect(p.length).toBe(7);
    expect(plan('s', many, 0, 20)).toEqual([]);
  });

  it('splits a huge group and gives the same digest id for the same alerts', () => {
    const many = Array.from({ length: DIGEST_MAX_ALERTS + 10 }, (_, i) => alert('10.3.3.3', i + 1));
    const p = plan('s', many, 5, 20);
    expect(p.length).toBe(2);
    expect(members(p).length).toBe(many.length);
    const again = plan('s', many, 5, 20);
    expect('digest' in again[0] && 'digest' in p[0] && again[0].digest.digest_id === p[0].digest.digest_id).toBe(true);
    expect('digest' in plan('other', many, 5, 20)[0]).toBe(true);
  });

  it('token bucket: a burst of the rate, then refills with time', () => {
    const b = new TokenBucket(60, 0);
    let n = 0;
    while (b.take(0)) n++;
    expect(n).toBe(60);
    expect(b.take(500)).toBe(false);
    expect(b.take(1000)).toBe(true);
    expect(b.available(60_000 * 10)).toBe(60);
  });
});
