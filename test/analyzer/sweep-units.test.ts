// The sweep's pure parts: targets from the allowed networks, blocks and the fast/slow split,
// scope refusal on nmap's command line, multi-host XML to results, port sets, the sweep's
// classification by method, progress, and the sweep.* configuration.

import { describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';
import { parseCidr, type Cidr } from '../../analyzer/policy.js';
import { isSlow, planBlocks } from '../../analyzer/sweep/blocks.js';
import { classify } from '../../analyzer/sweep/classify.js';
import { parsePortSet, portArgs, sweptPort } from '../../analyzer/sweep/ports.js';
import { sweepIdOf } from '../../analyzer/sweep/plan.js';
import { sweepProgress } from '../../analyzer/sweep/progress.js';
import { sweepTargets } from '../../analyzer/sweep/targets.js';
import { parseWorkItem } from '../../analyzer/sweep/work.js';
import { sweepArgs } from '../../analyzer/verify/nmap-args.js';
import { parseNmapHosts } from '../../analyzer/verify/nmap-xml.js';
import { outOfScope } from '../../analyzer/verify/scope.js';

const nets = (...t: string[]): Cidr[] => t.map((s) => parseCidr(s)!);

describe('sweep targets', () => {
  it('lists every address of the allowed networks once, IPv4 first, in order', () => {
    expect(sweepTargets(nets('192.0.2.0/30', '192.0.2.2/32', '2001:db8::/127', '198.51.100.7'), 100)).toEqual([
      '192.0.2.0',
      '192.0.2.1',
      '192.0.2.2',
      '192.0.2.3',
      '198.51.100.7',
      '2001:db8::',
      '2001:db8::1',
    ]);
  });
  it('refuses a scope larger than sweep.maxAddresses rather than cutting it', () => {
    expect(() => sweepTargets(nets('10.0.0.0/16'), 1000)).toThrow(/65536 addresses, more than sweep.maxAddresses/);
    expect(() => sweepTargets(nets('2001:db8::/64'), 1_000_000)).toThrow(/maxAddresses/);
  });
  it('nothing allowed: nothing swept', () => {
    expect(sweepTargets([], 10)).toEqual([]);
  });
});

describe('blocks and fast/slow grouping', () => {
  const targets = sweepTargets(nets('192.0.2.0/29', '2001:db8::/126'), 100);
  it('cuts targets into blocks of one family, at most blockSize each, numbered from 0', () => {
    const b = planBlocks(targets, new Map(), 300, 3);
    expect(b.map((x) => x.addresses.length)).toEqual([3, 3, 2, 3, 1]);
    expect(b.map((x) => x.block)).toEqual([0, 1, 2, 3, 4]);
    expect(b.every((x) => x.group === 'fast')).toBe(true);
    for (const x of b) expect(new Set(x.addresses.map((a) => a.includes(':'))).size).toBe(1);
    expect(b.flatMap((x) => x.addresses).sort()).toEqual([...targets].sort());
  });
  it('puts hosts that timed out or answered slowly in blocks of their own, after the fast ones', () => {
    const last = new Map([
      ['192.0.2.3', { state: 'timeout', rttUs: 0 }],
      ['192.0.2.5', { state: 'up', rttUs: 450_000 }],
      ['192.0.2.6', { state: 'up', rttUs: 1000 }],
    ]);
    const b = planBlocks(targets, last, 300, 10);
    expect(b).toEqual([
      {
        block: 0,
        group: 'fast',
        addresses: ['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.4', '192.0.2.6', '192.0.2.7'],
      },
      { block: 1, group: 'fast', addresses: targets.filter((a) => a.includes(':')) },
      { block: 2, group: 'slow', addresses: ['192.0.2.3', '192.0.2.5'] },
    ]);
    expect(isSlow({ state: 'up', rttUs: 300_000 }, 300)).toBe(true);
    expect(isSlow({ state: 'up', rttUs: 299_999 }, 300)).toBe(false);
  });
});

describe('scope', () => {
  const allowed = nets('192.0.2.0/28');
  const run = {
    allowed,
    ports: ['-p', '22,80'],
    scan: 'syn' as const,
    hostDiscovery: true,
    hostTimeoutMs: 30_000,
    maxRetries: 1,
    minHostGroup: 8,
    maxHostGroup: 64,
    minRate: 0,
    maxRate: 500,
  };
  it('one decision for the verifier and the sweeper', () => {
    expect(outOfScope('192.0.2.9', allowed)).toBeNull();
    expect(outOfScope('192.0.2.99', allowed)).toBe('outside verify.allowedNetworks');
  });
  it('never puts an address outside the allowed networks on the command line, whatever the block says', () => {
    expect(() => sweepArgs({ ...run, ips: ['192.0.2.1', '192.0.2.99'] })).toThrow(/192.0.2.99 is outside/);
    expect(() => sweepArgs({ ...run, ips: ['192.0.2.1', '192.0.2.1/24'] })).toThrow(/non-canonical/);
    expect(() => sweepArgs({ ...run, ips: ['-iL', '192.0.2.1'] })).toThrow(/non-canonical/);
    expect(() => sweepArgs({ ...run, ips: [] })).toThrow(/without addresses/);
  });
  it('builds the tuned run: targets after --, no -sV', () => {
    const a = sweepArgs({ ...run, ips: ['192.0.2.1', '192.0.2.2'] });
    expect(a).toEqual([
      ...['-sS', '-n', '-p', '22,80', '--host-timeout', '30s', '--max-retries', '1'],
      ...[
        '--min-hostgroup',
        '8',
        '--max-hostgroup',
        '64',
        '--max-rate',
        '500',
        '-oX',
        '-',
        '--',
        '192.0.2.1',
        '192.0.2.2',
      ],
    ]);
    expect(sweepArgs({ ...run, hostDiscovery: false, ips: ['192.0.2.1'] })).toContain('-Pn');
    expect(() =>
      sweepArgs({ ...run, allowed: nets('192.0.2.0/24', '2001:db8::/64'), ips: ['192.0.2.1', '2001:db8::1'] }),
    ).toThrow(/mixes/);
  });
  it('a work item that is not one is refused', () => {
    expect(parseWorkItem('{"sweep_id":"s","block":1,"group":"fast","addresses":["192.0.2.1"]}')).not.toBeNull();
    expect(parseWorkItem('{"sweep_id":"s","block":1,"group":"fast","addresses":["192.0.2.1 -oN x"]}')).toBeNull();
    expect(parseWorkItem('{"sweep_id":"s","block":-1,"group":"fast","addresses":["192.0.2.1"]}')).toBeNull();
    expect(parseWorkItem('nope')).toBeNull();
  });
});

// nmap 7.9x, -sS -n -p 22,80,8080 --host-timeout 5s -oX - over three hosts (one timed out, one
// without open ports); the down hosts of the block are not reported
const XML = `<?xml version="1.0" encoding="UTF-8"?>
<nmaprun scanner="nmap" args="nmap -sS -n -p 22,80,8080 -oX - -- 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4" start="1700000000" version="7.93" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="3" services="22,80,8080"/>
<host starttime="1700000000" endtime="1700000001"><status state="up" reason="echo-reply" reason_ttl="64"/>
<address addr="192.0.2.1" addrtype="ipv4"/>
<hostnames></hostnames>
<ports><port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" method="table" conf="3"/></port>
<port protocol="tcp" portid="80"><state state="closed" reason="reset" reason_ttl="64"/><service name="http" method="table" conf="3"/></port>
<port protocol="tcp" portid="8080"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http-proxy" method="table" conf="3"/></port>
</ports>
<times srtt="120" rttvar="5000" to="100000"/>
</host>
<host starttime="1700000000" endtime="1700000005"><status state="up" reason="echo-reply" reason_ttl="64"/>
<address addr="192.0.2.2" addrtype="ipv4"/>
<hostnames></hostnames>
<times srtt="800000" rttvar="5000" to="1000000"/>
</host>
<host starttime="1700000000" endtime="1700000001"><status state="up" reason="echo-reply" reason_ttl="64"/>
<address addr="192.0.2.3" addrtype="ipv4"/>
<hostnames></hostnames>
<ports><extraports state="filtered" count="3"><extrareasons reason="no-response" count="3"/></extraports></ports>
<times srtt="300" rttvar="5000" to="100000"/>
</host>
<runstats><finished time="1700000006" elapsed="6.00" exit="success"/><hosts up="3" down="1" total="4"/></runstats>
</nmaprun>`;

describe('nmap XML of a sweep block', () => {
  it('gives each reported host its state, timeout, round-trip time and ports', () => {
    const h = parseNmapHosts(XML);
    expect(h.map((x) => [x.ip, x.state, x.timedOut, x.rttUs])).toEqual([
      ['192.0.2.1', 'up', false, 120],
      ['192.0.2.2', 'up', true, 800000],
      ['192.0.2.3', 'up', false, 300],
    ]);
    expect(h[0].ports.filter((p) => p.state === 'open').map((p) => [p.port, p.service])).toEqual([
      [22, 'ssh'],
      [8080, 'http-proxy'],
    ]);
    expect(h[2].ports).toEqual([]);
    expect(parseNmapHosts('<nmaprun></nmaprun>')).toEqual([]);
    expect(() => parseNmapHosts('<html/>')).toThrow(/not nmap/);
  });
});

describe('port sets', () => {
  it('parses all, top-N and lists; refuses the rest', () => {
    expect(portArgs(parsePortSet('all') as never)).toEqual(['-p-']);
    expect(portArgs(parsePortSet('top-100') as never)).toEqual(['--top-ports', '100']);
    expect(portArgs(parsePortSet('22, 80,8000-8100') as never)).toEqual(['-p', '22,80,8000-8100']);
    for (const bad of ['top-0', '0', '22,', '80-22', '22-80-90', '70000', 'http'])
      expect(parsePortSet(bad)).toHaveProperty('error');
    const list = parsePortSet('22,8000-8100') as never;
    expect([sweptPort(list, 22), sweptPort(list, 8050), sweptPort(list, 80)]).toEqual([true, true, false]);
  });
});

describe('classification by method', () => {
  it('dormant, both and passive-only (of the ports swept)', () => {
    const open = [
      { ip: '192.0.2.1', proto: 'tcp', port: 22, service: 'ssh' },
      { ip: '192.0.2.1', proto: 'tcp', port: 9000, service: '' },
    ];
    const passive = [
      { ip: '192.0.2.1', proto: 'tcp', port: 22 },
      { ip: '192.0.2.2', proto: 'tcp', port: 443 },
      { ip: '192.0.2.2', proto: 'tcp', port: 5555 },
    ];
    const c = classify(open, passive, parsePortSet('22,443,9000') as never);
    expect(c.map((e) => `${e.ip}:${e.port} ${e.class}`)).toEqual([
      '192.0.2.1:22 both',
      '192.0.2.1:9000 dormant',
      '192.0.2.2:443 passive_only',
    ]);
  });
});

describe('progress', () => {
  const t = {
    sweep_id: '2026-01-01T00:00:00Z',
    started_at: 1_000_000,
    period_ms: 3_600_000,
    addresses: 1000,
    blocks_total: 4,
    slow_blocks: 1,
    ports: 'top-100',
    blocks_done: 1,
    addresses_done: 250,
    hosts_up: 10,
    hosts_timed_out: 1,
    ports_open: 7,
    blocks_failed: 0,
    last_done_at: 1_050_000,
  };
  it('rate so far and the expected finish at that rate; the end once every block is done', () => {
    const p = sweepProgress(t, 1_100_000);
    expect(p).toMatchObject({ state: 'running', blocks_done: 1, rate: 2.5, finish: 1_100_000 + 300_000 });
    const d = sweepProgress({ ...t, blocks_done: 4, addresses_done: 1000, last_done_at: 1_200_000 }, 2_000_000);
    expect(d).toMatchObject({ state: 'done', rate: 5, finish: 1_200_000 });
    expect(sweepProgress({ ...t, blocks_done: 0, addresses_done: 0 }, 1_100_000).finish).toBeNull();
  });
  it('names the sweep of a period slot the same wherever it is computed', () => {
    expect(sweepIdOf(Date.UTC(2026, 0, 1, 13, 17), 3_600_000)).toBe('2026-01-01T13:00:00Z');
    expect(sweepIdOf(Date.UTC(2026, 0, 1, 13, 59), 3_600_000)).toBe('2026-01-01T13:00:00Z');
  });
});

describe('sweep configuration', () => {
  it('has defaults, and reports every bad sweep.* value at once', () => {
    const c = loadAnalyzerConfig({ env: {} });
    expect(c.sweep).toMatchObject({ periodMs: 86_400_000, blockSize: 256, ports: { kind: 'top', n: 1000 } });
    expect(() =>
      loadAnalyzerConfig({
        env: {
          PORTHOLE_SWEEP_PERIOD: '10s',
          PORTHOLE_SWEEP_PORTS: 'some',
          PORTHOLE_SWEEP_MIN_HOST_GROUP: '100',
          PORTHOLE_SWEEP_MAX_HOST_GROUP: '10',
          PORTHOLE_SWEEP_SLOW_HOST_TIMEOUT: '1s',
        },
      }),
    ).toThrow(/sweep.ports: .*sweep.period: at least 1m.*sweep.minHostGroup.*sweep.slowHostTimeout/);
  });
});
