// The live capture's kernel filter must lose no endpoint and no evidence: each generated
// capture, filtered by tcpdump with the sensor's filter, replays to exactly what the whole
// capture replays to — while dropping the data segments.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFilter } from '../../sensor/capture/bpf-filter.js';
import type { Encapsulation } from '../../sensor/decode/encapsulations.js';
import { replayJson } from '../support/porthole.js';
import { scenarios } from '../support/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-bpf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TUNNELS: Encapsulation[] = ['vxlan', 'geneve', 'gre', 'gtpu', 'ipip'];
const NON_ETHERNET = ['linux-sll.pcap', 'linux-sll2.pcap', 'raw-ip.pcap', 'bsd-null.pcap', 'bsd-loop.pcap', 'ppp.pcap'];

function filtered(file: string, filter: string): string {
  const out = `${file}.filtered.pcap`;
  const r = spawnSync('tcpdump', ['-r', file, '-w', out, filter], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tcpdump: ${r.stderr}`);
  return out;
}

describe('BPF filter', () => {
  it('compiles for every allowed combination of encapsulations', () => {
    for (const enc of [[...TUNNELS, 'vlan'], [...TUNNELS, 'mpls'], [...TUNNELS, 'pppoe'], []] as Encapsulation[][]) {
      for (const acks of [true, false]) {
        const r = spawnSync('tcpdump', ['-d', '-i', 'lo', buildFilter({ acks, encapsulations: enc })], {
          encoding: 'utf8',
        });
        expect(r.stderr).not.toMatch(/syntax error|unsupported|no VLAN/);
        expect(r.status).toBe(0);
      }
    }
  });

  const cases = scenarios().filter((s) => !s.name.startsWith('pcapng-multi') && s.name !== 'cut-short.pcap');
  for (const s of cases) {
    it(`loses nothing: ${s.name}`, () => {
      const file = join(dir, s.name);
      writeFileSync(file, s.file);
      const stack: Encapsulation = s.name.startsWith('pppoe') ? 'pppoe' : s.name.startsWith('mpls') ? 'mpls' : 'vlan';
      const ethernet = !NON_ETHERNET.includes(s.name);
      const f = filtered(file, buildFilter({ acks: true, encapsulations: [...TUNNELS, stack], ethernet }));
      const key = (o: Record<string, unknown>): string => `${o.ip}|${o.port}|${o.handshakes}|${o.evidence}`;
      expect(replayJson([f]).map(key).sort()).toEqual(replayJson([file]).map(key).sort());
      if (s.name.startsWith('ethernet')) expect(statSync(f).size).toBeLessThan(statSync(file).size);
    });
  }
});
