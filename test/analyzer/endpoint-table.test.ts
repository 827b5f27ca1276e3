// The compact endpoint table holds exactly what a plain Map of state objects would: checked
// against one on random puts over many hosts and ports (growing the table several times).

import { describe, expect, it } from 'vitest';
import { type EndpointState, EndpointTable } from '../../analyzer/state/endpoint-table.js';

const STATES = ['new', 'active', 'stale', 'reopened'];
const REASONS = ['learning', 'expected', 'syn_proxy', 'alerted', 'seen_again', 'not_seen'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('EndpointTable', () => {
  it('matches a Map of objects after random puts, across growth', () => {
    const rnd = rng(7);
    const t = new EndpointTable(16);
    const ref = new Map<string, EndpointState>();
    for (let i = 0; i < 60_000; i++) {
      const v6 = rnd() < 0.3;
      const ip = v6
        ? `2001:db8::${Math.floor(rnd() * 3000).toString(16)}`
        : `10.0.${Math.floor(rnd() * 40)}.${Math.floor(rnd() * 250)}`;
      const s: EndpointState = {
        ip,
        proto: 'tcp',
        port: Math.floor(rnd() * 65536),
        state: STATES[Math.floor(rnd() * STATES.length)],
        since: 1.7e12 + Math.floor(rnd() * 1e9),
        first_seen: 1.7e12 + Math.floor(rnd() * 1e9),
        last_seen: 1.7e12 + Math.floor(rnd() * 1e9),
        reason: REASONS[Math.floor(rnd() * REASONS.length)],
        version: 1.7e12 + i,
      };
      t.put(s);
      ref.set(`${s.ip}|${s.proto}|${s.port}`, s);
    }
    expect(t.size).toBe(ref.size);
    for (const s of ref.values()) {
      const r = t.find(s.ip, s.proto, s.port);
      expect(r).toBeGreaterThanOrEqual(0);
      expect(t.get(r)).toEqual(s);
    }
    const hostPorts = new Map<string, number>();
    for (const s of ref.values()) hostPorts.set(s.ip, (hostPorts.get(s.ip) ?? 0) + 1);
    for (const [ip, n] of hostPorts) expect(t.portCount(ip)).toBe(n);
    expect(t.hosts).toBe(hostPorts.size);
    expect(t.find('10.255.255.255', 'tcp', 80)).toBe(-1);
    expect(t.find([...ref.values()][0].ip, 'tcp', 0) === -1 || ref.has(`${[...ref.values()][0].ip}|tcp|0`)).toBe(true);
  });

  it('flags hosts, and clear() forgets everything', () => {
    const t = new EndpointTable();
    const s = {
      ip: '10.1.1.1',
      proto: 'tcp',
      port: 22,
      state: 'new',
      since: 1,
      first_seen: 1,
      last_seen: 2,
      reason: 'alerted',
      version: 1,
    };
    t.put(s);
    t.flag('10.1.1.1');
    expect(t.flagged('10.1.1.1')).toBe(true);
    expect(t.flagged('10.1.1.2')).toBe(false);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.find('10.1.1.1', 'tcp', 22)).toBe(-1);
    expect(t.flagged('10.1.1.1')).toBe(false);
    t.put({ ...s, port: 23 });
    expect(t.get(t.find('10.1.1.1', 'tcp', 23)).port).toBe(23);
    expect(t.portCount('10.1.1.1')).toBe(1);
  });
});
