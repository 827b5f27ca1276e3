// The live capture's kernel filter must lose no endpoint and no evidence: each generated
// capture (of a link type live capture opens), filtered by tcpdump with the sensor's filter
// and the encapsulations it needs, replays to exactly what the whole capture replays to —
// while dropping the data segments; `teredo-any` lets Teredo-shaped UDP through, not all UDP.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFilter } from '../../sensor/capture/bpf-filter.js';
import { ENCAPSULATION_TABLE, ENCAPSULATIONS, type Encapsulation } from '../../sensor/decode/encapsulations.js';
import { eth, hex, ipv4, pcapFile, udp } from '../support/frames.js';
import { teredo } from '../support/frames-tunnels.js';
import { replayJson } from '../support/porthole.js';
import { scenarios } from '../support/scenarios.js';
import { framingScenarios } from '../support/scenarios-framings.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-bpf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TUNNELS: Encapsulation[] = ['vxlan', 'geneve', 'gre', 'gtpu', 'ipip'];
/** every encapsulation that is no link stack (those exclude one another) */
const ALL_BUT_STACKS = ENCAPSULATIONS.filter((e) => ENCAPSULATION_TABLE[e].layer !== 'link');
const NON_ETHERNET = ['linux-sll.pcap', 'linux-sll2.pcap', 'raw-ip.pcap', 'bsd-null.pcap', 'bsd-loop.pcap', 'ppp.pcap'];

function filtered(file: string, filter: string): string {
  const out = `${file}.filtered.pcap`;
  const r = spawnSync('tcpdump', ['-r', file, '-w', out, filter], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tcpdump: ${r.stderr}`);
  return out;
}

describe('BPF filter', () => {
  it('compiles for every allowed combination of encapsulations', () => {
    const sets = [[...TUNNELS, 'vlan'], [...TUNNELS, 'mpls'], [...TUNNELS, 'pppoe'], []] as Encapsulation[][];
    for (const stack of ['vlan', 'mpls', 'pppoe'] as Encapsulation[]) sets.push([...ALL_BUT_STACKS, stack]);
    for (const enc of sets) {
      for (const acks of [true, false]) {
        for (const ethernet of [true, false]) {
          const r = spawnSync('tcpdump', ['-d', '-i', 'lo', buildFilter({ acks, encapsulations: enc, ethernet })], {
            encoding: 'utf8',
          });
          expect(r.stderr).not.toMatch(/syntax error|unsupported|no VLAN/);
          expect(r.status).toBe(0);
        }
      }
    }
  });

  const cases = [...scenarios(), ...framingScenarios()].filter(
    (s) => !s.name.startsWith('pcapng-multi') && s.name !== 'cut-short.pcap' && !s.fileOnly,
  );
  for (const s of cases) {
    it(`loses nothing: ${s.name}`, () => {
      const file = join(dir, s.name);
      writeFileSync(file, s.file);
      const stack: Encapsulation = s.name.startsWith('pppoe')
        ? 'pppoe'
        : s.name.startsWith('mpls-stack')
          ? 'mpls'
          : 'vlan';
      const ethernet = !NON_ETHERNET.includes(s.name);
      const enc = [...TUNNELS, ...(s.encapsulations ?? []), stack];
      const f = filtered(file, buildFilter({ acks: true, encapsulations: enc, ethernet }));
      const key = (o: Record<string, unknown>): string => `${o.ip}|${o.port}|${o.handshakes}|${o.evidence}`;
      const whole = replayJson([file], s.replay).map(key).sort();
      expect(whole.length).toBeGreaterThan(0);
      expect(replayJson([f], s.replay).map(key).sort()).toEqual(whole);
      if (s.name.startsWith('ethernet')) expect(statSync(f).size).toBeLessThan(statSync(file).size);
      if (s.encapsulations) {
        // and the entry in the table is what lets it through
        const without = filtered(file, buildFilter({ acks: true, encapsulations: [...TUNNELS, stack], ethernet }));
        expect(replayJson([without], s.replay)).toEqual([]);
      }
    });
  }

  it('teredo-any lets Teredo-shaped UDP through, not other UDP', () => {
    const v6 = hex(
      '60000000 0014 06 40 20010db8000200000000000000000010 20010db8000100000000000000000007 01bb9c40 00001388 000003e9 5012faf0 00000000',
    );
    const u = (sport: number, dport: number, payload: Uint8Array): Uint8Array =>
      eth(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 17 }, udp(sport, dport, payload)));
    const frames = [
      u(41000, 47000, teredo(v6)),
      u(41000, 47000, teredo(v6, { origin: true })),
      u(5353, 53, hex('1234 0100 0001 0000 0000 0000 03777777 00 0001 0001')),
      u(41000, 47000, new Uint8Array(60).fill(0x61)),
      u(41000, 47000, Uint8Array.from([...v6, 0, 0])), // IPv6-looking, but the lengths disagree
    ];
    const file = join(dir, 'teredo-shapes.pcap');
    writeFileSync(
      file,
      pcapFile(
        frames.map((data, i) => ({ ts: 1_767_225_600_000 + i, data })),
        { linktype: 1 },
      ),
    );
    const kept = (enc: Encapsulation[]): number =>
      statSync(filtered(file, buildFilter({ acks: true, encapsulations: enc }))).size;
    const header = 24;
    const recordOf = (i: number): number => 16 + frames[i].length;
    expect(kept(['teredo-any'])).toBe(header + recordOf(0) + recordOf(1));
    expect(kept([])).toBe(header);
  });
});
