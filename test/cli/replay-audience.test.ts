// End to end: a generated capture whose audience is known (one server port, 30 internal and 200
// internet client addresses over three windows, each client connecting more than once), through
// `porthole replay` with one and two threads: exact zone counts and samples per window, and the
// windows' sketches merged (as ClickHouse's maxForEach does) within three standard errors.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HLL_REGISTERS, HLL_STANDARD_ERROR, hllEstimate, hllMerge } from '../../common/hll.js';
import { audienceCapture, clientOrder, INTERNAL, INTERNET, WINDOW_MS, WINDOWS } from '../support/audience.js';
import { replayJson } from '../support/porthole.js';
import { T0 } from '../support/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-audience-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'audience.pcap');
writeFileSync(file, audienceCapture(T0));

describe.each(['1', '2'])('replay of a known audience, --threads %s', (threads) => {
  const rows = replayJson([file], ['--window', '5s', '--threads', threads]);

  it('gives per window the exact clients of each zone and the first 8 distinct clients', () => {
    expect(rows).toHaveLength(3);
    rows.forEach((o, k) => {
      const w = WINDOWS[k];
      const order = clientOrder(w);
      expect(o).toMatchObject({
        ip: '192.0.2.50',
        port: 443,
        window_start: T0 + k * WINDOW_MS,
        handshakes: 2 * order.length,
        clients: order.length,
        clients_internal: w.internal.length,
        clients_internet: w.internet.length,
        sample_client: order[0],
        sample_clients: order.slice(0, 8),
      });
      expect(o.hll_internal).toHaveLength(HLL_REGISTERS);
      expect(o.hll_internet).toHaveLength(HLL_REGISTERS);
    });
  });

  it('merges the windows’ sketches into estimates of the distinct totals', () => {
    for (const [zone, truth] of [
      ['hll_internal', INTERNAL.length],
      ['hll_internet', INTERNET.length],
    ] as const) {
      const merged = new Uint8Array(HLL_REGISTERS);
      for (const o of rows) hllMerge(merged, o[zone] as number[]);
      expect(Math.abs(hllEstimate(merged) - truth)).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR * truth);
    }
  });
});
