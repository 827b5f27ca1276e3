// track.scannerAddresses: connections from the scanner's own addresses (the verifier's nmap
// probes) are not tracked, so they count neither as handshakes nor as clients, while a real
// client of the same endpoint in the same window is counted as before.

import { describe, expect, it } from 'vitest';
import type { Observation } from '../../schemas/observation.js';
import { loadSensorConfig } from '../../sensor/config.js';
import { createPipeline } from '../../sensor/pipeline/one-thread.js';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../../sensor/track/tracker.js';
import { eth, etherTypeOf } from '../support/frames.js';
import { conversation, ipOf, type Seg, T0 } from '../support/scenarios.js';

function run(segs: Seg[], opts: Partial<TrackerOptions> = {}) {
  const out: Observation[] = [];
  const pipe = createPipeline({ ...DEFAULT_TRACKER_OPTIONS, windowMs: 0, ...opts }, (o) => out.push(o));
  for (const s of segs.sort((a, b) => a.ts - b.ts)) {
    const p = ipOf(s);
    const f = eth(etherTypeOf(p), p);
    pipe.onFrame(f, 0, f.length, Math.floor(s.ts / 1000), (s.ts % 1000) * 1e6, 1);
  }
  pipe.finish();
  return { out, stats: pipe.stats() };
}

describe('track.scannerAddresses', () => {
  for (const [client, scanner, server] of [
    ['192.0.2.2', '192.0.2.3', '192.0.2.1'],
    ['2001:db8:5::2', '2001:db8:5::3', '2001:db8:5::1'],
  ]) {
    const traffic = [
      ...conversation(client, server, 40000, 8080, T0, 'open'),
      ...conversation(client, server, 40001, 8080, T0 + 5, 'open'),
      ...conversation(scanner, server, 50000, 8080, T0 + 10, 'open'),
      ...conversation(scanner, server, 50001, 8080, T0 + 15, 'open'),
      ...conversation(scanner, server, 50002, 8080, T0 + 20, 'open'),
      ...conversation(scanner, server, 50003, 22, T0 + 25, 'open'),
    ];
    it(`the scanner's handshakes are not counted, the client's are (${client})`, () => {
      expect(run(traffic).out.map((o) => [o.port, o.handshakes, o.clients])).toEqual([
        [22, 1, 1],
        [8080, 5, 2],
      ]);
      const { out, stats } = run(traffic, { scannerAddresses: [scanner] });
      expect(out.map((o) => [o.port, o.handshakes, o.clients, o.sample_clients])).toEqual([[8080, 2, 1, [client]]]);
      expect(stats.tracker).toMatchObject({ accepted: 2, scanner: 4, unanswered: 0 });
    });
  }

  it('a bad entry stops the sensor at start-up, naming the key', () => {
    expect(() =>
      loadSensorConfig({ env: { PORTHOLE_TRACK_SCANNER_ADDRESSES: '192.0.2.3,nope' }, flags: {}, needSource: false }),
    ).toThrow(/track\.scannerAddresses: not a CIDR: "nope"/);
  });
});
