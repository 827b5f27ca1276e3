// The sensor's track.homeNetworks key: its default, its sources, and one clear error per bad CIDR;
// the capture interfaces (one or a TAP's several) and what to do when one is lost; capture.sflow;
// capture.user.

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/errors.js';
import { DEFAULT_INTERNAL_RANGES } from '../../schemas/zones.js';
import { loadSensorConfig } from '../../sensor/config.js';

const load = (env: NodeJS.ProcessEnv) => loadSensorConfig({ env, needSource: false });

describe('track.homeNetworks', () => {
  it('defaults to the private and internal ranges', () => {
    expect(load({}).track.homeNetworks).toEqual(DEFAULT_INTERNAL_RANGES);
  });

  it('is read from the environment as a comma-separated list', () => {
    expect(load({ PORTHOLE_TRACK_HOME_NETWORKS: '10.0.0.0/8, 2001:db8::/32' }).track.homeNetworks).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
  });

  it('refuses bad CIDRs at start-up, naming the key and each bad entry', () => {
    const bad = () => load({ PORTHOLE_TRACK_HOME_NETWORKS: '10.0.0.0/33,10.0.0.0/8,fc00::/7/1,lan' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      'invalid configuration: track.homeNetworks: not a CIDR: "10.0.0.0/33"; not a CIDR: "fc00::/7/1"; not a CIDR: "lan"',
    );
  });
});

describe('capture.iface and capture.onInterfaceLoss', () => {
  it('takes one interface or several, as a list or comma-separated', () => {
    expect(load({ PORTHOLE_CAPTURE_IFACE: 'eth1' }).capture.ifaces).toEqual(['eth1']);
    expect(loadSensorConfig({ env: {}, flags: { 'capture.iface': 'eth1, eth2' } }).capture.ifaces).toEqual([
      'eth1',
      'eth2',
    ]);
    expect(load({}).capture.onInterfaceLoss).toBe('wait');
    expect(load({ PORTHOLE_CAPTURE_ON_INTERFACE_LOSS: 'exit' }).capture.onInterfaceLoss).toBe('exit');
  });

  it('refuses bad names, a name twice and an unknown policy, all at once', () => {
    const bad = () =>
      load({
        PORTHOLE_CAPTURE_IFACE: 'eth1,../x,eth1,averyveryverylongname',
        PORTHOLE_CAPTURE_ON_INTERFACE_LOSS: 'retry',
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      'invalid configuration: capture.iface: not an interface name: "../x", "averyveryverylongname"; capture.iface: listed twice: eth1; capture.onInterfaceLoss: must be wait or exit, got "retry"',
    );
  });
});

describe('capture.sflow', () => {
  it('a port alone listens on loopback; an address is taken as given', () => {
    const at = (v: string) => loadSensorConfig({ env: {}, flags: { 'capture.sflow': v } }).capture.sflow;
    expect(at('6343')).toEqual({ host: '127.0.0.1', port: 6343 });
    expect(at('0.0.0.0:6343')).toEqual({ host: '0.0.0.0', port: 6343 });
    expect(at('[::]:6343')).toEqual({ host: '::', port: 6343 });
    expect(load({}).capture.sflow).toBe(null);
  });

  it('refuses a bad address, and a second source, all at once', () => {
    const bad = () =>
      loadSensorConfig({ env: {}, flags: { 'capture.sflow': 'switch:6343', 'capture.pcap': 'x.pcap' } });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      'invalid configuration: capture.sflow: not an IP address before the port (a host name may resolve to several: give the address), or a port alone, got "switch:6343"; give one of capture.iface, capture.pcap and capture.sflow',
    );
    expect(() => loadSensorConfig({ env: {} })).toThrow(
      'capture.iface, capture.pcap or capture.sflow is required (--iface IF, --pcap FILE or --sflow PORT)',
    );
  });
});

describe('capture.user', () => {
  it('null keeps the starting user for a capture file, and is refused for a live capture (an interface or sFlow)', () => {
    const file = loadSensorConfig({ env: {}, flags: { 'capture.pcap': 'x.pcap', 'capture.user': null } });
    expect(file.capture.user).toBeNull();
    expect(load({}).capture.user).toBe('nobody');
    const live = () => loadSensorConfig({ env: {}, flags: { 'capture.iface': 'eth1', 'capture.user': '' } });
    expect(live).toThrow(ConfigError);
    expect(live).toThrow('capture.user: null (no switch) is for a capture file only');
    const sflow = () => loadSensorConfig({ env: {}, flags: { 'capture.sflow': '6343', 'capture.user': '' } });
    expect(sflow).toThrow('capture.user: null (no switch) is for a capture file only');
  });
});
