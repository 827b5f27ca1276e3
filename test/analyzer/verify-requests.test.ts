// Verification on demand, the pure parts: `porthole verify` targets, the request message as the
// verifier reads it, and the scheduler's rules (a refusal is no scan: it never holds back the
// next verification; a forced request skips verify.minInterval but never the scope), and the
// keys of the verifier's own source addresses.

import { describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';
import { parseCidr } from '../../analyzer/policy.js';
import { parseRequest, parseTarget } from '../../analyzer/verify/requests.js';
import { createScheduler } from '../../analyzer/verify/scheduler.js';
import type { EndpointId } from '../../schemas/endpoint.js';

describe('parseTarget', () => {
  it('reads IP:PORT and [IPv6]:PORT, canonical', () => {
    expect(parseTarget('192.0.2.1:22')).toEqual({ ip: '192.0.2.1', proto: 'tcp', port: 22 });
    expect(parseTarget('[2001:DB8::0:1]:443')).toEqual({ ip: '2001:db8::1', proto: 'tcp', port: 443 });
  });
  it.each(['192.0.2.1', '192.0.2.1:0', '192.0.2.1:65536', '2001:db8::1:22', 'host:22', '192.0.2.1:22 -sC', ''])(
    'refuses %j',
    (t) => {
      expect(parseTarget(t)).toEqual({ error: expect.stringMatching(/^not IP:PORT/) });
    },
  );
});

describe('parseRequest', () => {
  const ok = { v: 1, request: 'a1b2-c3', ip: '192.0.2.1', proto: 'tcp', port: 22, at: 5, by: 'ana' };
  it('reads a request', () => {
    expect(parseRequest(JSON.stringify(ok))).toEqual(ok);
  });
  it.each([
    ['not JSON', '{'],
    ['another version', JSON.stringify({ ...ok, v: 2 })],
    ['a non-canonical address', JSON.stringify({ ...ok, ip: '2001:DB8::1' })],
    ['an address with options', JSON.stringify({ ...ok, ip: '192.0.2.1 -iL x' })],
    ['a bad port', JSON.stringify({ ...ok, port: 70000 })],
    ['a bad id', JSON.stringify({ ...ok, request: "x' OR 1" })],
    ['udp', JSON.stringify({ ...ok, proto: 'udp' })],
  ])('skips %s', (_why, text) => {
    expect(parseRequest(text)).toBeNull();
  });
});

describe('scheduler', () => {
  function setup(lastVerified = new Map<string, number>()) {
    const scanned: string[] = [];
    const refused: string[] = [];
    const s = createScheduler({
      allowed: [parseCidr('192.0.2.0/24')!],
      minIntervalMs: 3_600_000,
      concurrency: 1,
      maxRunsPerMinute: 10,
      batchDelayMs: 0,
      lastVerified,
      scan: async (ip, ports) => {
        scanned.push(`${ip}:${ports.join(',')}`);
        for (const p of ports) lastVerified.set(`${ip}|tcp|${p}`, Date.now());
      },
      refuse: async (e, why, request) => {
        refused.push(`${e.ip}:${e.port} ${why} ${request}`);
      },
    });
    return { s, scanned, refused };
  }
  const e = (ip: string, port: number): EndpointId => ({ ip, proto: 'tcp', port });
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('refuses outside the allowed networks, forced or not, and names the request', async () => {
    const { s, scanned, refused } = setup();
    expect(await s.request(e('198.51.100.7', 22))).toBe('refused');
    expect(await s.request(e('198.51.100.7', 22), { force: true, request: 'r1' })).toBe('refused');
    await settle();
    expect(scanned).toEqual([]);
    expect(refused).toEqual([
      '198.51.100.7:22 outside verify.allowedNetworks ',
      '198.51.100.7:22 outside verify.allowedNetworks r1',
    ]);
    await s.stop();
  });

  it('a refusal is no scan: it does not hold back the next verification', async () => {
    const last = new Map<string, number>();
    const wide = setup(last);
    // before: refused (another scheduler, narrower scope, same memory)
    const narrow = createScheduler({
      allowed: [],
      minIntervalMs: 3_600_000,
      concurrency: 1,
      maxRunsPerMinute: 10,
      batchDelayMs: 0,
      lastVerified: last,
      scan: async () => {},
      refuse: async () => {},
    });
    expect(await narrow.request(e('192.0.2.1', 22))).toBe('refused');
    expect(await wide.s.request(e('192.0.2.1', 22))).toBe('queued');
    await settle();
    expect(wide.scanned).toEqual(['192.0.2.1:22']);
    await Promise.all([wide.s.stop(), narrow.stop()]);
  });

  it('a finished scan holds back the next within minInterval, unless forced', async () => {
    const { s, scanned } = setup(new Map([['192.0.2.1|tcp|22', Date.now()]]));
    expect(await s.request(e('192.0.2.1', 22))).toBe('too_soon');
    expect(await s.request(e('192.0.2.1', 22), { force: true, request: 'r2' })).toBe('queued');
    expect(await s.request(e('192.0.2.1', 22), { force: true })).toBe('duplicate');
    await settle();
    expect(scanned).toEqual(['192.0.2.1:22']);
    await s.stop();
  });

  it('stop() starts nothing more and resolves when the running scans end', async () => {
    let release = (): void => {};
    const running = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    const s = createScheduler({
      allowed: [parseCidr('192.0.2.0/24')!],
      minIntervalMs: 0,
      concurrency: 1,
      maxRunsPerMinute: 10,
      batchDelayMs: 0,
      lastVerified: new Map(),
      scan: async (ip) => {
        started.push(ip);
        await running;
      },
      refuse: async () => {},
    });
    await s.request(e('192.0.2.1', 22));
    await s.request(e('192.0.2.2', 22));
    await settle();
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(started).toEqual(['192.0.2.1']);
  });
});

describe('verify.sourceAddresses', () => {
  const load = (env: Record<string, string>) => loadAnalyzerConfig({ env, flags: {} });
  it('are scanner addresses of the analyzer too, canonical', () => {
    const c = load({
      PORTHOLE_VERIFY_SOURCE_ADDRESSES: '192.0.2.250,2001:DB8::250',
      PORTHOLE_POLICY_SCANNER_ADDRESSES: '192.0.2.9',
    });
    expect(c.verify.sourceAddresses).toEqual(['192.0.2.250', '2001:db8::250']);
    expect([...c.policy.scannerAddresses].sort()).toEqual(['192.0.2.250', '192.0.2.9', '2001:db8::250']);
  });
  it('refuses, naming the key: a bad address, two of one family, a SYN scan', () => {
    expect(() => load({ PORTHOLE_VERIFY_SOURCE_ADDRESSES: '192.0.2.250,nope' })).toThrow(
      /verify\.sourceAddresses: not an address: "nope"/,
    );
    expect(() => load({ PORTHOLE_VERIFY_SOURCE_ADDRESSES: '192.0.2.250,192.0.2.251' })).toThrow(
      /verify\.sourceAddresses: at most one IPv4 address/,
    );
    expect(() => load({ PORTHOLE_VERIFY_SOURCE_ADDRESSES: '192.0.2.250', PORTHOLE_VERIFY_SCAN_TYPE: 'syn' })).toThrow(
      /verify\.scanType: syn cannot send from verify\.sourceAddresses/,
    );
  });
});
