// Porthole's version, from package.json (read when asked: `porthole --version`, alert messages).
// This file runs compiled from dist/common/ or from common/ itself (tests through vitest).

import { readFileSync } from 'node:fs';

export function portholeVersion(): string {
  const pkgPath = import.meta.url.includes('/dist/common/') ? '../../package.json' : '../package.json';
  const pkg = JSON.parse(readFileSync(new URL(pkgPath, import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
