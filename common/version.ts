// Porthole's version, from package.json (read when asked: `porthole --version`, alert messages).

import { readFileSync } from 'node:fs';

export function portholeVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
