// Every installed package runs on the Node.js Porthole supports (package.json `engines`, Node
// 20): a dependency whose `engines.node` excludes it fails here, naming who needs it, instead of
// crashing on a machine that has Node 20 (npm only warns).

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const NODE_20 = '20.19.0';

/** Every package.json under node_modules (scoped and nested packages too). */
function packages(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (name.startsWith('@')) packages(p, out);
    else {
      out.push(join(p, 'package.json'));
      packages(join(p, 'node_modules'), out);
    }
  }
  return out;
}

describe('engines', () => {
  it('the project says Node 20', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(semver.satisfies(NODE_20, pkg.engines.node)).toBe(true);
  });

  it('no installed package requires a newer Node than 20', () => {
    const refused: string[] = [];
    const files = packages(join(ROOT, 'node_modules'));
    expect(files.length).toBeGreaterThan(100); // the tree was read
    for (const file of files) {
      let pkg: { name?: string; version?: string; engines?: { node?: string } };
      try {
        pkg = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      const range = pkg.engines?.node;
      if (typeof range !== 'string' || !semver.validRange(range)) continue;
      if (!semver.satisfies(NODE_20, range)) refused.push(`${pkg.name}@${pkg.version} (node ${range})`);
    }
    expect(refused).toEqual([]);
  });
});
