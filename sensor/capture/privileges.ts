// Drops root after the capture is open: switches to an unprivileged user (and its primary
// group, no supplementary groups). A no-op when not running as root. Fails loudly, never
// silently keeps root.

import { readFileSync } from 'node:fs';
import { errorMessage } from '../../common/errors.js';
import { SensorError } from '../errors.js';

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
