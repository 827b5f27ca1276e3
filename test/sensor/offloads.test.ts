// Reading `ethtool -k` for the offloads that widen libpcap's ring slots. The text is an excerpt of
// `ethtool -k` (ethtool 6.1) on a fresh veth on this machine; the sensor's use of it against a
// real interface is in test/e2e/sensor-errors.int.test.ts.

import { describe, expect, it } from 'vitest';
import { framesWithOffloads, offloadsOn } from '../../sensor/capture/offloads.js';

const VETH = `Features for phtB:
rx-checksumming: on
tx-checksumming: on
	tx-checksum-ipv4: off [fixed]
	tx-checksum-ip-generic: on
scatter-gather: on
	tx-scatter-gather: on
tcp-segmentation-offload: on
	tx-tcp-segmentation: on
	tx-tcp-ecn-segmentation: on
generic-segmentation-offload: on
generic-receive-offload: off
large-receive-offload: off [fixed]
rx-vlan-offload: on
`;

describe('offloadsOn', () => {
  it('names the segmentation and receive offloads that are on, not their sub-features', () => {
    expect(offloadsOn(VETH)).toEqual(['tcp-segmentation-offload', 'generic-segmentation-offload']);
  });

  it('finds none once they are off (as prepare-mirror leaves them), and ignores other offloads', () => {
    const off = VETH.replace('tcp-segmentation-offload: on', 'tcp-segmentation-offload: off').replace(
      'generic-segmentation-offload: on',
      'generic-segmentation-offload: off',
    );
    expect(offloadsOn(off)).toEqual([]);
    expect(off).toMatch(/rx-vlan-offload: on/);
  });

  it('a 256 MiB buffer holds about 4,000 slots of 64 KiB', () => {
    expect(framesWithOffloads(256 * 1024 * 1024)).toBeGreaterThan(4000);
    expect(framesWithOffloads(256 * 1024 * 1024)).toBeLessThan(4096);
  });
});
