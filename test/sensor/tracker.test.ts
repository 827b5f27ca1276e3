// Handshake state machine and windows, fed decoded segments built from frames.

import { describe, expect, it } from 'vitest';
import type { Observation } from '../../schemas/observation.js';
import { validateObservation } from '../../schemas/observation.js';
import { createPipeline } from '../../sensor/pipeline/one-thread.js';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../../sensor/track/tracker.js';
import { eth, etherTypeOf, F } from '../support/frames.js';
import { conversation, ipOf, type Seg, T0 } from '../support/scenarios.js';

function run(segs: Seg[], opts: Partial<TrackerOptions> = {}) {
  const out: Observation[] = [];
  const pipe = createPipeline({ ...DEFAULT_TRACKER_OPTIONS, windowMs: 0, ...opts }, (o) => out.push(o));
  for (const s of segs) {
    const p = ipOf(s);
    const f = eth(etherTypeOf(p), p);
    pipe.onFrame(f, 0, f.length, Math.floor(s.ts / 1000), (s.ts % 1000) * 1e6, 1);
  }
  pipe.finish();
  return { out, stats: pipe.stats() };
}

describe('tracker', () => {
  it('a full handshake is evidence "handshake" and every observation validates', () => {
    const { out, stats } = run(conversation('198.51.100.1', '192.0.2.1', 40000, 80, T0, 'open'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      ip: '192.0.2.1',
      port: 80,
      evidence: 'handshake',
      handshakes: 1,
      clients: 1,
      sample_client: '198.51.100.1',
      mss: 1400,
    });
    expect(validateObservation(out[0]).ok).toBe(true);
    expect(stats.tracker).toMatchObject({ accepted: 1, completed: 1, rejected: 0, unanswered: 0 });
  });

  it('SYN+ACK without the client ACK is evidence "synack"', () => {
    const { out } = run(conversation('198.51.100.1', '192.0.2.1', 40000, 22, T0, 'open-no-ack'));
    expect(out[0].evidence).toBe('synack');
  });

  it('RST answers are rejected, silence is unanswered, neither is a service', () => {
    const { out, stats } = run([
      ...conversation('198.51.100.1', '192.0.2.1', 40000, 3306, T0, 'closed'),
      ...conversation('198.51.100.1', '192.0.2.1', 40001, 6379, T0 + 10, 'silent'),
    ]);
    expect(out).toHaveLength(0);
    expect(stats.tracker).toMatchObject({ rejected: 1, unanswered: 1, duplicates: 1, accepted: 0 });
  });

  it('one rule for RST: SYN+ACK+RST is no accepting SYN+ACK, and answering a SYN is rejected like SYN+RST', () => {
    // issue 18: SYN+ACK+RST was counted as accepting while SYN+RST was (rightly) no SYN
    const segs: Seg[] = [];
    const answers = [F.SYN | F.ACK | F.RST, F.SYN | F.RST, F.SYN | F.ACK | F.RST | F.PSH];
    answers.forEach((flags, i) => {
      const [syn, synack] = conversation('198.51.100.1', '192.0.2.1', 40000 + i, 8000 + i, T0 + i * 10, 'open');
      segs.push(syn, { ...synack, flags });
    });
    // and without the SYN (a one-sided mirror): still no service
    const [, lone] = conversation('198.51.100.2', '192.0.2.2', 41000, 9000, T0 + 100, 'open');
    segs.push({ ...lone, flags: F.SYN | F.ACK | F.RST });
    const { out, stats } = run(segs);
    expect(out).toHaveLength(0);
    expect(stats.tracker).toMatchObject({ accepted: 0, oneSided: 0, rejected: 3, unanswered: 0 });
  });

  it('SPAN duplicates and retransmits do not inflate counts', () => {
    const c = conversation('2001:db8::1', '2001:db8::2', 40000, 443, T0, 'open');
    const doubled = c.flatMap((s) => [s, { ...s, ts: s.ts + 0.001 }]);
    doubled.push({ ...c[1], ts: T0 + 3000 }); // SYN+ACK retransmitted long after
    const { out, stats } = run(doubled);
    expect(out[0].handshakes).toBe(1);
    expect(stats.tracker.duplicates).toBe(3);
  });

  it('a SYN+ACK acking the wrong ISN is not a full handshake', () => {
    const c = conversation('198.51.100.1', '192.0.2.1', 40000, 80, T0, 'open');
    c[1] = { ...c[1], ack: (c[1].ack + 5) >>> 0 };
    const { out, stats } = run(c);
    expect(out[0].evidence).toBe('synack');
    expect(stats.tracker.oneSided).toBe(1);
  });

  it('distinct clients are counted per endpoint', () => {
    const segs: Seg[] = [];
    for (let i = 0; i < 20; i++)
      segs.push(...conversation(`198.51.100.${1 + (i % 5)}`, '192.0.2.1', 40000 + i, 80, T0 + i * 10, 'open'));
    const { out } = run(segs.sort((a, b) => a.ts - b.ts));
    expect(out[0]).toMatchObject({ handshakes: 20, clients: 5 });
  });

  it('thousands of endpoints and clients (v4 and v6) are counted exactly, as a plain count says', () => {
    // enough endpoints and (endpoint, client) pairs to make every per-window table grow several times
    const segs: Seg[] = [];
    const truth = new Map<string, { handshakes: number; clients: Set<string> }>();
    let seed = 7;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let i = 0; i < 6000; i++) {
      const v6 = i % 2 === 0;
      const server = v6 ? `2001:db8:2::${(rand(300) + 1).toString(16)}` : `192.0.2.${rand(200) + 1}`;
      const client = v6 ? `2001:db8:1::${rand(2000).toString(16)}:1` : `198.51.100.${rand(250)}`;
      const port = 1 + rand(20);
      segs.push(...conversation(client, server, 1024 + i, port, T0 + i, 'open-no-ack'));
      const key = `${server}|${port}`;
      const t = truth.get(key) ?? { handshakes: 0, clients: new Set<string>() };
      t.handshakes++;
      t.clients.add(client);
      truth.set(key, t);
    }
    const { out } = run(segs);
    expect(out.length).toBe(truth.size);
    for (const o of out) {
      const t = truth.get(`${o.ip}|${o.port}`)!;
      expect([o.handshakes, o.clients]).toEqual([t.handshakes, t.clients.size]);
    }
  });

  it('endpoints come out in address order: IPv4 before IPv6, addresses as numbers, then port', () => {
    const servers = [
      '2001:db8::10',
      '10.0.0.2',
      '2001:db8::2',
      '192.0.2.1',
      '10.0.0.10',
      '255.255.255.254',
      '::ffff:10.0.0.1',
      '2001:db8::2',
    ];
    const ports = [443, 22, 80, 8080, 22, 9, 25, 22];
    const segs = servers.flatMap((s, i) =>
      conversation(s.includes(':') ? '2001:db8:ffff::1' : '198.51.100.1', s, 40000 + i, ports[i], T0 + i, 'open'),
    );
    const { out } = run(segs.sort((a, b) => a.ts - b.ts));
    expect(out.map((o) => `${o.ip} ${o.port}`)).toEqual([
      '10.0.0.2 22',
      '10.0.0.10 22',
      '192.0.2.1 8080',
      '255.255.255.254 9',
      '::ffff:10.0.0.1 25',
      '2001:db8::2 22',
      '2001:db8::2 80',
      '2001:db8::10 443',
    ]);
  });

  it('distinct clients stop counting at maxClientsPerEndpoint', () => {
    const segs: Seg[] = [];
    for (let i = 0; i < 30; i++)
      segs.push(...conversation(`198.51.100.${1 + i}`, '192.0.2.1', 40000 + i, 80, T0 + i * 10, 'open'));
    const { out } = run(segs, { maxClientsPerEndpoint: 8 });
    expect(out[0]).toMatchObject({ handshakes: 30, clients: 8 });
  });

  it('an ACK carrying data does not complete a handshake (as the live filter passes only pure ACKs)', () => {
    const [syn, synack] = conversation('198.51.100.1', '192.0.2.1', 40000, 80, T0, 'open');
    const dataAck: Seg = {
      ...syn,
      seq: (syn.seq + 1) >>> 0,
      ack: (synack.seq + 1) >>> 0,
      flags: 0x18,
      ts: T0 + 1,
      payload: new Uint8Array(10),
    };
    expect(run([syn, synack, dataAck]).out[0].evidence).toBe('synack');
    expect(run([syn, synack, { ...dataAck, flags: 0x10, payload: undefined }]).out[0].evidence).toBe('handshake');
  });

  it('memory stays bounded under a SYN flood, with evictions counted', () => {
    const segs: Seg[] = [];
    for (let i = 0; i < 50_000; i++) {
      segs.push({
        src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        dst: '192.0.2.1',
        sport: 1024 + (i % 60000),
        dport: 80,
        seq: i,
        ack: 0,
        flags: 2,
        ts: T0 + i / 100,
      });
    }
    segs.push(...conversation('198.51.100.1', '192.0.2.1', 40000, 443, T0 + 600, 'open'));
    const out: Observation[] = [];
    const pipe = createPipeline({ ...DEFAULT_TRACKER_OPTIONS, windowMs: 0, maxFlows: 1000 }, (o) => out.push(o));
    let maxFlows = 0;
    for (const s of segs) {
      const p = ipOf(s);
      const f = eth(etherTypeOf(p), p);
      pipe.onFrame(f, 0, f.length, Math.floor(s.ts / 1000), (s.ts % 1000) * 1e6, 1);
      maxFlows = Math.max(maxFlows, pipe.stats().tracker.flows);
    }
    pipe.finish();
    const st = pipe.stats().tracker;
    expect(maxFlows).toBeLessThanOrEqual(1000);
    expect(st.evictions).toBe(50_000 + 1 - 1000);
    expect(out.map((o) => o.port)).toEqual([443]); // the real service is still found
  });

  it('windows: one observation per endpoint per window, ACK after the boundary still counts', () => {
    const segs = [
      ...conversation('198.51.100.1', '192.0.2.1', 40000, 80, T0 + 4999.7, 'open'), // ACK lands after T0+5000
      ...conversation('198.51.100.2', '192.0.2.1', 40001, 80, T0 + 7000, 'open'),
      ...conversation('198.51.100.3', '192.0.2.1', 40002, 80, T0 + 12000, 'open'),
    ];
    const { out } = run(segs, { windowMs: 5000, graceMs: 1000 });
    expect(out.map((o) => [o.first_seen - T0, o.handshakes, o.evidence])).toEqual([
      [4999, 1, 'handshake'],
      [7000, 1, 'handshake'],
      [12000, 1, 'handshake'],
    ]);
  });
});
