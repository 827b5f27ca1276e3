// Porthole's version, from package.json (read when asked: `porthole --version`, alert messages).
// This file runs from dist/common/ (compiled) or common/ (the tests, through vitest).

import { readFileSync } from 'node:fs';

export function portholeVersion(): string {
  const up = import.meta.url.includes('/dist/common/') ? '../../' : '../';
  const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
