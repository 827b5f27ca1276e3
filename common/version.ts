// Porthole's version, from package.json (read when asked: `porthole --version`, alert messages),
// whether this file runs compiled (dist/common/) or from source (tests through vitest).

import { readFileSync } from 'node:fs';

export function portholeVersion(): string {
  const rel = import.meta.url.includes('/dist/common/') ? '../../package.json' : '../package.json';
  const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
