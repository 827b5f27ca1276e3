// The `porthole replay` command as a user runs it: output forms, summary, errors, stdin.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { porthole } from '../support/porthole.js';
import { baseTraffic, ipOf } from '../support/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const capture = pcapFile(
  baseTraffic().map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
  { linktype: 1 },
);
const file = join(dir, 'base.pcap');
writeFileSync(file, capture);

describe('porthole replay', () => {
  it('prints a table and a summary', () => {
    const r = porthole(['replay', file]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^IP\s+PORT\s+PROTO\s+EVIDENCE/);
    expect(r.stdout).toMatch(/192\.0\.2\.10\s+80\s+tcp\s+handshake\s+2/);
    expect(r.stderr).toMatch(/packets/);
    expect(r.stderr).toMatch(/rejected 2; unanswered 1/);
    expect(r.stderr).toMatch(/endpoints: 5/);
  });

  it('--json prints one object per endpoint with the documented fields', () => {
    const r = porthole(['replay', '--json', file]);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      for (const k of ['ip', 'port', 'proto', 'evidence', 'first_seen', 'last_seen', 'handshakes', 'clients'])
        expect(row).toHaveProperty(k);
    }
  });

  it('reads stdin with "-"', () => {
    const r = porthole(['replay', '--json', '-'], capture);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('a file that is not a capture: one line, exit 1', () => {
    const bad = join(dir, 'notes.txt');
    writeFileSync(bad, 'hello, this is text\n'.repeat(10));
    // a large one too: the refusal comes while the next read is in flight (it once raced the
    // descriptor's close and crashed with a stack trace, about one run in five)
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(12 << 20, 0x41));
    for (const f of [bad, ...Array<string>(8).fill(big)]) {
      const r = porthole(['replay', f]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/not a pcap or pcapng file/);
    }
  });

  it('a missing file: one line, exit 1', () => {
    const r = porthole(['replay', join(dir, 'nope.pcap')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/nope\.pcap: no such file$/);
  });

  it('a capture cut short: results up to the cut and a warning', () => {
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, capture.subarray(0, capture.length - 30));
    const r = porthole(['replay', '--json', cut]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: .*cut short/);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });

  it('usage errors exit 2 and name the problem', () => {
    expect(porthole(['replay']).status).toBe(2);
    const r = porthole(['replay', '--window', 'soon', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--window: not a duration/);
    expect(porthole(['frobnicate']).status).toBe(2);
  });

  it('--help on every command', () => {
    expect(porthole(['--help']).stdout).toMatch(/Commands:/);
    const r = porthole(['replay', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: porthole replay/);
  });
});
