// The sensor's track.homeNetworks key: its default, its sources, and one clear error per bad CIDR.

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
