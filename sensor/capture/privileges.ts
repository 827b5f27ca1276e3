// Drops root after the capture is open: switches to an unprivileged user (and its primary
// group, no supplementary groups). A no-op when not running as root. Fails loudly, never
// silently keeps root. The process still loads modules after the switch (the Kafka client
// loads its protocol versions as it meets them), so a user who cannot read Porthole's own
// files (a clone in root's home) is refused before the switch, as a configuration error.

import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, errorMessage } from '../../common/errors.js';
import { PACKAGE_ROOT } from '../../common/version.js';
import { SensorError } from '../errors.js';

/**
 * The first folder on the way to `dir` (itself included) that `uid` with the one group `gid`
 * may not enter, or `dir` itself when it may not list it; null when it may. Mode bits only.
 */
export function unreachableFor(dir: string, uid: number, gid: number): string | null {
  const chain: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    chain.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of chain) {
    const st = statSync(d);
    const bits = st.uid === uid ? (st.mode >> 6) & 7 : st.gid === gid ? (st.mode >> 3) & 7 : st.mode & 7;
    const need = d === dir ? 5 : 1; // read and search the last, search the ones above
    if ((bits & need) !== need) return d;
  }
  return null;
}

export function dropPrivileges(user: string): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === user);
  if (!line) throw new SensorError('PRIVILEGE_DROP_FAILED', `capture.user: no such user ${JSON.stringify(user)}`);
  const [, , uidS, gidS] = line.split(':');
  const uid = Number(uidS);
  const gid = Number(gidS);
  if (uid === 0)
    throw new SensorError('PRIVILEGE_DROP_FAILED', `capture.user: ${user} is root; choose an unprivileged user`);
  const blocked = unreachableFor(PACKAGE_ROOT, uid, gid);
  if (blocked)
    throw new ConfigError(
      `capture.user: ${user} cannot read Porthole's files in ${PACKAGE_ROOT} (${blocked} is closed to it), which the sensor still loads after switching to it; install Porthole where ${user} can read it (e.g. /opt/porthole) or name a user who can`,
    );
  try {
    process.setgroups!([gid]);
    process.setgid!(gid);
    process.setuid!(uid);
  } catch (err) {
    throw new SensorError('PRIVILEGE_DROP_FAILED', `cannot switch to user ${user}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (process.getuid() === 0 || process.geteuid!() === 0) {
    throw new SensorError('PRIVILEGE_DROP_FAILED', `still root after switching to ${user}`);
  }
  return { uid, gid };
}
