// The audience of each endpoint and window: clients by zone, the first sample addresses and one
// HyperLogLog sketch per zone, from the tracker fed decoded segments built from frames.

import { describe, expect, it } from 'vitest';
import { HLL_REGISTERS, HLL_STANDARD_ERROR, hllEstimate } from '../../common/hll.js';
import { type Observation, validateObservation } from '../../schemas/observation.js';
import { createPipeline } from '../../sensor/pipeline/one-thread.js';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../../sensor/track/tracker.js';
import { eth, etherTypeOf } from '../support/frames.js';
import { conversation, ipOf, type Seg, T0 } from '../support/scenarios.js';

function run(segs: Seg[], opts: Partial<TrackerOptions> = {}): Observation[] {
  const out: Observation[] = [];
  const pipe = createPipeline({ ...DEFAULT_TRACKER_OPTIONS, windowMs: 0, ...opts }, (o) => out.push(o));
  for (const s of [...segs].sort((a, b) => a.ts - b.ts)) {
    const p = ipOf(s);
    const f = eth(etherTypeOf(p), p);
    pipe.onFrame(f, 0, f.length, Math.floor(s.ts / 1000), Math.round((s.ts % 1000) * 1e6), 1);
  }
  pipe.finish();
  for (const o of out) expect(validateObservation(o)).toEqual({ ok: true, value: o });
  return out;
}

/** One connection from each client to `server`:`port`, 10 ms apart from `t`, in list order. */
function connections(clients: string[], server: string, port: number, t = T0): Seg[] {
  return clients.flatMap((c, i) => conversation(c, server, 40000 + (i % 20000), port, t + i * 10, 'open'));
}

/** An estimate within three standard errors of `n` (or one client, for the smallest counts). */
function near(sketch: number[], n: number): void {
  expect(Math.abs(hllEstimate(sketch) - n)).toBeLessThanOrEqual(Math.max(1, 3 * HLL_STANDARD_ERROR * n));
}

const range = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

describe('audience', () => {
  it('counts distinct clients per zone exactly, IPv4 and IPv6, repeats once', () => {
    const internal4 = ['10.1.0.1', '192.168.7.7', '172.16.0.9', '100.64.1.1', '127.0.0.1', '169.254.1.1'];
    const internet4 = ['198.51.100.1', '203.0.113.9', '172.32.0.1', '100.128.0.1'];
    const internal6 = ['fd00::5', 'fe80::1', '::1', '::ffff:10.9.9.9'];
    const internet6 = ['2001:db8::1', '2001:db8::2', '::ffff:198.51.100.1'];
    const out = run([
      ...connections([...internal4, ...internet4, ...internal4, '198.51.100.1'], '192.0.2.1', 443),
      ...connections([...internal6, ...internet6, 'fd00::5'], '2001:db8::443', 443),
    ]);
    expect(out.map((o) => [o.ip, o.handshakes, o.clients, o.clients_internal, o.clients_internet])).toEqual([
      ['192.0.2.1', 17, 10, 6, 4],
      ['2001:db8::443', 8, 7, 4, 3],
    ]);
  });

  it('keeps the first 8 distinct clients as samples, in the order they came', () => {
    const clients = range(20, (i) => `198.51.100.${i + 1}`);
    const out = run(connections(['198.51.100.3', '198.51.100.3', ...clients], '192.0.2.1', 80));
    expect(out[0].sample_client).toBe('198.51.100.3');
    expect(out[0].sample_clients).toEqual(['3', '1', '2', '4', '5', '6', '7', '8'].map((n) => `198.51.100.${n}`));
  });

  it('has a sketch only for a zone with clients, estimating its count', () => {
    const out = run(
      connections(
        range(40, (i) => `198.51.100.${i + 1}`),
        '192.0.2.1',
        80,
      ),
    );
    expect(out[0]).toMatchObject({ clients_internal: 0, clients_internet: 40, hll_internal: [] });
    expect(out[0].hll_internet).toHaveLength(HLL_REGISTERS);
    near(out[0].hll_internet, 40);
    const v6 = run(
      connections(
        range(3, (i) => `fd00::${i + 1}`),
        '2001:db8::80',
        22,
      ),
    );
    expect(v6[0]).toMatchObject({ clients_internal: 3, clients_internet: 0, hll_internet: [] });
    expect(v6[0].sample_clients).toEqual(['fd00::1', 'fd00::2', 'fd00::3']);
    near(v6[0].hll_internal, 3);
  });

  it('keeps each endpoint and window apart', () => {
    const segs = [
      ...connections(['10.0.0.1', '10.0.0.2'], '192.0.2.1', 80),
      ...connections(['198.51.100.1'], '192.0.2.1', 443),
      ...connections(['198.51.100.1', '198.51.100.2', '10.0.0.3'], '192.0.2.1', 80, T0 + 5000),
    ];
    const out = run(segs, { windowMs: 5000 });
    expect(
      out.map((o) => [o.port, o.window_start - T0, o.clients_internal, o.clients_internet, o.sample_clients]),
    ).toEqual([
      [80, 0, 2, 0, ['10.0.0.1', '10.0.0.2']],
      [443, 0, 0, 1, ['198.51.100.1']],
      [80, 5000, 1, 2, ['198.51.100.1', '198.51.100.2', '10.0.0.3']],
    ]);
  });

  it('follows the configured home networks', () => {
    const out = run(connections(['10.0.0.1', '198.51.100.1', '198.51.100.2'], '192.0.2.1', 80), {
      homeNetworks: ['198.51.100.0/31'],
    });
    expect(out[0]).toMatchObject({ clients_internal: 1, clients_internet: 2 });
  });

  it('past maxClients the counts stop but the sketches take every client', () => {
    const clients = [...range(60, (i) => `198.51.100.${i + 1}`), ...range(40, (i) => `10.0.${i}.1`)];
    const out = run(connections(clients, '192.0.2.1', 80), { maxClientsPerEndpoint: 50 });
    expect(out[0]).toMatchObject({ clients: 50, clients_internal: 0, clients_internet: 50 });
    expect(out[0].sample_clients).toHaveLength(8);
    near(out[0].hll_internet, 60);
    near(out[0].hll_internal, 40);
  });

  it('grows its tables for many endpoints with sketches in both zones', () => {
    const segs: Seg[] = [];
    for (let e = 0; e < 600; e++) {
      const clients =
        e % 2
          ? [`10.0.${e & 0xff}.1`, `198.51.100.${e & 0xff}`, `203.0.113.${e & 0xff}`]
          : [`fd00::${e.toString(16)}`, `2001:db8:1::${e.toString(16)}`, `2001:db8:2::${e.toString(16)}`];
      const server = e % 2 ? `192.0.${e >> 8}.${e & 0xff}` : `2001:db8::${e.toString(16)}`;
      segs.push(...connections(clients, server, 80));
    }
    const out = run(segs);
    expect(out).toHaveLength(600);
    for (const o of out) {
      expect(o).toMatchObject({ clients: 3, clients_internal: 1, clients_internet: 2 });
      near(o.hll_internal, 1);
      near(o.hll_internet, 2);
    }
  });
});
