// Before the sensor switches to capture.user it checks that the user can still read Porthole's
// own files (it loads modules after the switch): every folder on the way must let it search,
// the last one list too. Mode bits, as owner, group or other.

import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unreachableFor } from '../../sensor/capture/privileges.js';

const top = mkdtempSync(join(tmpdir(), 'porthole-priv-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

// a user and group that own nothing here
const NOBODY = 65534;

describe('unreachableFor', () => {
  it('names the first folder closed to the user, and nothing once all are open', () => {
    const pkg = join(top, 'home', 'porthole');
    mkdirSync(pkg, { recursive: true });
    chmodSync(top, 0o700); // as mkdtemp makes it: a clone in a private folder
    chmodSync(join(top, 'home'), 0o755);
    chmodSync(pkg, 0o755);
    expect(unreachableFor(pkg, NOBODY, NOBODY)).toBe(top);
    chmodSync(top, 0o711); // searchable, not listable: enough on the way
    expect(unreachableFor(pkg, NOBODY, NOBODY)).toBeNull();
    chmodSync(pkg, 0o711); // the package folder itself must be listable
    expect(unreachableFor(pkg, NOBODY, NOBODY)).toBe(pkg);
    chmodSync(pkg, 0o750);
    expect(unreachableFor(pkg, NOBODY, NOBODY)).toBe(pkg);
    expect(unreachableFor(pkg, NOBODY, process.getgid?.() ?? 0)).toBeNull(); // through its group
  });
});
