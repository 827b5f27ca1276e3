// The sensor's modules import one another without a circle (the decoders' way back from a
// tunnel to IP goes through the table in decode/ip-payload.ts, not an import). Reads every
// relative `import ... from './x.js'` (type-only imports too) under sensor/ and looks for a cycle.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function importGraph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of sources(join(root, 'sensor'))) {
    const deps = [...readFileSync(f, 'utf8').matchAll(/(?:import|export)\s[^;]*?from\s+'(\.[^']+)\.js'/gs)].map((m) =>
      resolve(dirname(f), `${m[1]}.ts`),
    );
    g.set(f, deps);
  }
  return g;
}

/** One import cycle as file paths (first file repeated at the end), or null. */
function findCycle(g: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...path.slice(path.indexOf(f)), f];
    state.set(f, 'open');
    path.push(f);
    for (const d of g.get(f) ?? []) {
      const c = g.has(d) ? visit(d) : null;
      if (c) return c;
    }
    path.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of g.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

describe('sensor imports', () => {
  it('form no cycle', () => {
    const g = importGraph();
    expect(g.size).toBeGreaterThan(40);
    expect(findCycle(g)?.map((f) => relative(root, f))).toBeUndefined();
  });
});
