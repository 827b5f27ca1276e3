// Whether a capture interface is there and up, from /sys/class/net (Linux): what the sensor polls
// while it waits for a lost interface to return. "up" means administratively up (IFF_UP, which
// libpcap needs to open it) with an operstate that can carry frames; elsewhere than Linux the
// interface is taken as up and the reopen itself decides.

import { readFileSync } from 'node:fs';

export type IfaceState = 'absent' | 'down' | 'up';

const IFF_UP = 0x1;

/** The state from the two sysfs values (pure): `flags` as in /sys/class/net/X/flags. */
export function ifaceStateOf(flags: string | null, operstate: string | null): IfaceState {
  if (flags === null) return 'absent';
  const f = Number.parseInt(flags.trim(), 16);
  if (!Number.isFinite(f) || (f & IFF_UP) === 0) return 'down';
  // "unknown": drivers that do not report it (tun, some virtual links) carry frames anyway
  const op = (operstate ?? 'unknown').trim();
  return op === 'up' || op === 'unknown' ? 'up' : 'down';
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function ifaceState(iface: string): IfaceState {
  if (process.platform !== 'linux') return 'up';
  const dir = `/sys/class/net/${iface}`;
  return ifaceStateOf(read(`${dir}/flags`), read(`${dir}/operstate`));
}
