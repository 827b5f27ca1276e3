// How a part is started: this Node running this package's bin/porthole.js, so every part is
// the same release as the process that starts it.

import { join } from 'node:path';
import { PACKAGE_ROOT } from '../common/version.js';

export function portholeCommand(): string[] {
  return [process.execPath, join(PACKAGE_ROOT, 'bin', 'porthole.js')];
}
