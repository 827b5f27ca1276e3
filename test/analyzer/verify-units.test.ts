// nmap argument building and XML parsing, on nmap's own output.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nmapArgs } from '../../analyzer/verify/nmap-args.js';
import { runNmap } from '../../analyzer/verify/nmap-run.js';
import { rawScanAllowed } from '../../analyzer/verify/privilege.js';
import { parseNmapXml } from '../../analyzer/verify/nmap-xml.js';
import { statusOf, verificationRow } from '../../analyzer/verify/results.js';

describe('nmapArgs', () => {
  it('puts the validated target after --', () => {
    const a = nmapArgs({
      ip: '2001:db8::5',
      ports: [443, 22, 443],
      scan: 'syn',
      hostTimeoutMs: 30_000,
      versionIntensity: 7,
      maxRetries: 2,
    });
    expect(a).toEqual([
      '-sS',
      '-sV',
      '--version-intensity',
      '7',
      '-Pn',
      '-n',
      '--host-timeout',
      '30s',
      '--max-retries',
      '2',
      '-p',
      '22,443',
      '-oX',
      '-',
      '-6',
      '--',
      '2001:db8::5',
    ]);
  });
  it.each(['10.0.0.1 -oN /etc/passwd', '-iL', '2001:DB8::5', 'example.com', '10.0.0.0/8'])('refuses %s', (ip) => {
    expect(() =>
      nmapArgs({ ip, ports: [80], scan: 'connect', hostTimeoutMs: 1000, versionIntensity: 1, maxRetries: 0 }),
    ).toThrow(/refusing/);
  });
  it('sends every probe from the source address of the target family (-S, unprivileged connect scan)', () => {
    const run = { ports: [22], scan: 'connect' as const, hostTimeoutMs: 1000, versionIntensity: 1, maxRetries: 0 };
    expect(nmapArgs({ ...run, ip: '192.0.2.1', source: '192.0.2.3' }).slice(-5)).toEqual([
      '--unprivileged',
      '-S',
      '192.0.2.3',
      '--',
      '192.0.2.1',
    ]);
    expect(nmapArgs({ ...run, ip: '2001:db8::1', source: '2001:db8::3' }).slice(-6)).toEqual([
      '-6',
      '--unprivileged',
      '-S',
      '2001:db8::3',
      '--',
      '2001:db8::1',
    ]);
    expect(() => nmapArgs({ ...run, ip: '2001:db8::1', source: '192.0.2.3' })).toThrow(/bad source address/);
    expect(() => nmapArgs({ ...run, ip: '192.0.2.1', source: '192.0.2.3 -oN x' })).toThrow(/bad source address/);
    expect(() => nmapArgs({ ...run, scan: 'syn', ip: '192.0.2.1', source: '192.0.2.3' })).toThrow(/connect scan/);
  });
  it('refuses bad ports', () => {
    expect(() =>
      nmapArgs({
        ip: '192.0.2.1',
        ports: [0],
        scan: 'connect',
        hostTimeoutMs: 1000,
        versionIntensity: 1,
        maxRetries: 0,
      }),
    ).toThrow();
  });
});

describe('parseNmapXml', () => {
  it('reads a real nmap run against loopback (a closed port and an open one)', () => {
    const xml = execFileSync(
      'nmap',
      nmapArgs({
        ip: '127.0.0.1',
        ports: [1],
        scan: 'connect',
        hostTimeoutMs: 20_000,
        versionIntensity: 0,
        maxRetries: 0,
      }),
      { encoding: 'utf8' },
    );
    const r = parseNmapXml(xml);
    expect(r.timedOut).toBe(false);
    expect(r.ports).toEqual([expect.objectContaining({ port: 1, state: 'closed', reason: 'conn-refused' })]);
    expect(statusOf(r.ports[0])).toBe('closed_now');
  });
  it('a host that timed out has no ports', () => {
    const xml =
      '<?xml version="1.0"?><nmaprun><host starttime="1" endtime="2"><status state="up" reason="user-set"/><address addr="192.0.2.1" addrtype="ipv4"/></host><runstats/></nmaprun>';
    expect(parseNmapXml(xml)).toEqual({ ports: [], timedOut: true, hostState: 'up' });
    expect(() => parseNmapXml('<html/>')).toThrow(/not nmap/);
  });
});

describe('rawScanAllowed', () => {
  it('root; or CAP_NET_RAW (bit 13) in the effective set with NMAP_PRIVILEGED', () => {
    expect(rawScanAllowed(0, null, undefined)).toBe(true);
    expect(rawScanAllowed(65534, '0000000000003000', '1')).toBe(true); // net_admin + net_raw
    expect(rawScanAllowed(65534, '0000000000003000', undefined)).toBe(false);
    expect(rawScanAllowed(65534, '0000000000001000', '1')).toBe(false); // net_admin only
    expect(rawScanAllowed(65534, '0000000000000000', '1')).toBe(false);
    expect(rawScanAllowed(65534, null, '1')).toBe(false);
  });
});

describe('runNmap', () => {
  it('gives the program no PORTHOLE_* variable (a secret passed by the environment stays here)', async () => {
    process.env.PORTHOLE_KAFKA_SASL_PASSWORD = 'not-for-nmap';
    try {
      // the configured command is run as given: `env` prints what nmap would have received
      const seen = await runNmap(['env'], [], 10_000);
      expect(seen).toMatch(/^PATH=/m);
      expect(seen).not.toContain('PORTHOLE_');
      expect(seen).not.toContain('not-for-nmap');
    } finally {
      delete process.env.PORTHOLE_KAFKA_SASL_PASSWORD;
    }
  });
});

describe('verificationRow', () => {
  it('a refused request has every nmap column empty', () => {
    expect(verificationRow({ ip: '192.0.2.1', proto: 'tcp', port: 22 }, 86_400_000, 'refused', 'outside')).toEqual({
      day: '1970-01-02',
      ip: '192.0.2.1',
      proto: 'tcp',
      port: 22,
      ts: 86_400_000,
      status: 'refused',
      nmap_state: '',
      reason: 'outside',
      service: '',
      product: '',
      version: '',
      extrainfo: '',
      cpe: '',
      duration_ms: 0,
      attempt: 0,
      request: '',
    });
  });
});
