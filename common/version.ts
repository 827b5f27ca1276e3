// Porthole's version, from package.json (read when asked: `porthole --version`, alert messages,
// the API document), and the package's root folder: this file runs from dist/common/ when
// compiled and from common/ under the test runner.

import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The folder holding package.json. */
export const PACKAGE_ROOT = here.endsWith(`${sep}dist${sep}common`) ? join(here, '..', '..') : join(here, '..');

export function portholeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
