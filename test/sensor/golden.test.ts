// Golden captures: `porthole replay` must find exactly the endpoints tshark finds (SYN+ACK
// senders, innermost IP), with the same number of distinct handshakes and the same evidence.
// Real-traffic captures come from test/golden/make-netns-captures.sh; the rest are generated.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayJson } from '../support/porthole.js';
import { scenarios } from '../support/scenarios.js';
import { tsharkEndpoints } from '../support/tshark.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-golden-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const goldenDir = new URL('../golden/', import.meta.url).pathname;
const recorded = readdirSync(goldenDir).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(goldenDir, f));
const generated = scenarios().map((s) => {
  const path = join(dir, s.name);
  writeFileSync(path, s.file);
  return path;
});

function replayEndpoints(file: string): Map<string, { handshakes: number; evidence: string }> {
  const m = new Map<string, { handshakes: number; evidence: string }>();
  for (const o of replayJson([file], ['--no-progress'])) {
    m.set(`${o.ip}|${o.port}`, { handshakes: o.handshakes as number, evidence: o.evidence as string });
  }
  return m;
}

describe('replay matches tshark', () => {
  it('has golden captures of real traffic', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(2);
  });
  for (const file of [...recorded, ...generated]) {
    it(file.split('/').pop()!, () => {
      const expected = tsharkEndpoints(file);
      expect(expected.size).toBeGreaterThan(0);
      const got = replayEndpoints(file);
      expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
    });
  }
});
