// IP-in-IP (RFC 2003, IP protocol 4) and IPv6-in-IP (RFC 4213, protocol 41): the payload is a
// whole IP packet, decoded as such; each counts as one tunnel, bounded by MAX_TUNNELS.

import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { MAX_TUNNELS, type Packet } from './packet.js';
import { R } from './reasons.js';

export function decodeIPv4InIp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
  return decodeIPv4(p, b, off, end);
}

export function decodeIPv6InIp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
  return decodeIPv6(p, b, off, end);
}
