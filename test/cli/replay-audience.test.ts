// End to end: a generated capture whose audience is known (one server port, 30 internal and 200
// internet client addresses over three windows, each client connecting more than once), through
// `porthole replay` with one and two threads: exact zone counts and samples per window, and the
// windows' sketches merged (as ClickHouse's maxForEach does) within three standard errors.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HLL_REGISTERS, HLL_STANDARD_ERROR, hllEstimate, hllMerge } from '../../common/hll.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { replayJson } from '../support/porthole.js';
import { conversation, ipOf, type Seg, T0 } from '../support/scenarios.js';

const WINDOW_MS = 5000;
const internal = Array.from({ length: 30 }, (_, i) => `10.20.${i >> 3}.${1 + (i & 7)}`);
const internet = Array.from({ length: 200 }, (_, i) => (i < 100 ? `198.51.100.${i + 1}` : `203.0.113.${i - 99}`));
// which clients connect in each window (overlapping; every client in at least one window)
const windows = [
  { internal: internal.slice(0, 15), internet: internet.slice(0, 80) },
  { internal: internal.slice(10, 25), internet: internet.slice(60, 160) },
  {
    internal: [...internal.slice(20, 30), ...internal.slice(0, 5)],
    internet: [...internet.slice(140), ...internet.slice(0, 20)],
  },
];

function capture(): Buffer {
  const segs: Seg[] = [];
  let port = 20000;
  windows.forEach((w, k) => {
    // interleaved zones, each client twice: the first distinct clients are known
    const clients = w.internet.flatMap((c, i) => (i < w.internal.length ? [w.internal[i], c] : [c]));
    [...clients, ...clients].forEach((c, i) => {
      segs.push(...conversation(c, '192.0.2.50', port++, 443, T0 + k * WINDOW_MS + 100 + i * 5, 'open'));
    });
  });
  segs.sort((a, b) => a.ts - b.ts);
  return pcapFile(
    segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
    { linktype: 1 },
  );
}

const dir = mkdtempSync(join(tmpdir(), 'porthole-audience-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'audience.pcap');
writeFileSync(file, capture());

describe.each(['1', '2'])('replay of a known audience, --threads %s', (threads) => {
  const rows = replayJson([file], ['--window', '5s', '--threads', threads]);

  it('gives per window the exact clients of each zone and the first 8 distinct clients', () => {
    expect(rows).toHaveLength(3);
    rows.forEach((o, k) => {
      const w = windows[k];
      const order = w.internet.flatMap((c, i) => (i < w.internal.length ? [w.internal[i], c] : [c]));
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
      ['hll_internal', internal.length],
      ['hll_internet', internet.length],
    ] as const) {
      const merged = new Uint8Array(HLL_REGISTERS);
      for (const o of rows) hllMerge(merged, o[zone] as number[]);
      expect(Math.abs(hllEstimate(merged) - truth)).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR * truth);
    }
  });
});
