// The demo's capture tells its story: replayed through the real sensor pipeline (porthole
// replay), the history shows the eleven everyday services and the printer's telnet last
// answering when it closed; the live part shows the build box's new port reached from the
// internet, and of the swept file server only the ports it serves. tshark reads every frame and
// finds every IP and TCP checksum good.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapFile } from '../../demo/pcap-writer.js';
import { BASELINE, CLOSED_SERVICE, history, INTERNET_CLIENT, live, NEW_SERVICE, SCANNED } from '../../demo/story.js';
import { replayJson } from '../support/porthole.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-story-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = 1_796_660_000_000;
const closedAt = T - 6 * 60_000;
const historyFile = join(dir, 'history.pcap');
const liveFile = join(dir, 'live.pcap');
writeFileSync(historyFile, pcapFile(history(T - 10 * 60_000, T, closedAt)));
writeFileSync(liveFile, pcapFile(live(T + 6000, T + 14_000)));

type Row = { ip: string; port: number; last_seen: number; clients_internet: number; sample_clients: string[] };
const key = (r: { ip: string; port: number }): string => `${r.ip}:${r.port}`;

describe('the demo story', () => {
  it('history: the everyday services, the closed one last seen before it closed', () => {
    const rows = replayJson([historyFile]) as Row[];
    expect(rows).toHaveLength(BASELINE.services);
    expect(rows.map(key)).not.toContain(key(NEW_SERVICE));
    const closed = rows.find((r) => key(r) === key(CLOSED_SERVICE))!;
    expect(closed.last_seen).toBeLessThan(closedAt);
    expect(Math.max(...rows.map((r) => r.last_seen))).toBeGreaterThan(T - 60_000);
  });

  it('live: the new port with its internet client; of the swept host only its open ports', () => {
    const rows = replayJson([liveFile]) as Row[];
    const added = rows.find((r) => key(r) === key(NEW_SERVICE))!;
    expect(added.clients_internet).toBeGreaterThan(0);
    expect(added.sample_clients).toContain(INTERNET_CLIENT);
    // the sweep's 1,024 SYNs make no endpoint of a refused port: only the host's everyday ones
    const swept = rows.filter((r) => r.ip === SCANNED).map((r) => r.port);
    expect(swept.sort((a, b) => a - b)).toEqual([22, 445, 5432]);
    const everyday = new Set((replayJson([historyFile]) as Row[]).map(key));
    expect(rows.map(key).filter((k) => !everyday.has(k))).toEqual([key(NEW_SERVICE)]);
  });

  it('tshark finds every IP and TCP checksum good', () => {
    for (const f of [historyFile, liveFile]) {
      const r = spawnSync(
        'tshark',
        [
          '-r',
          f,
          '-o',
          'tcp.check_checksum:TRUE',
          '-o',
          'ip.check_checksum:TRUE',
          '-T',
          'fields',
          '-e',
          'ip.checksum.status',
          '-e',
          'tcp.checksum.status',
        ],
        { encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThan(1000);
      expect(lines.filter((l) => l !== '1\t1')).toEqual([]);
    }
  });
});
