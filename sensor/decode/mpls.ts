// MPLS label stack (RFC 3032): 4-byte entries until the bottom-of-stack bit. What follows is
// guessed from its first nibble, as Zeek and tcpdump do: 4 is IPv4, 6 is IPv6, else non_ip
// (pseudowires with a control word are not followed).

import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export function decodeMpls(p: Packet, b: Uint8Array, off: number, end: number): number {
  for (;;) {
    if (end - off < 4) return R.TRUNCATED_MPLS;
    const bottom = b[off + 2] & 0x01;
    off += 4;
    if (bottom) break;
  }
  if (end - off < 1) return R.TRUNCATED_MPLS;
  const version = b[off] >> 4;
  if (version === 4) return decodeIPv4(p, b, off, end);
  if (version === 6) return decodeIPv6(p, b, off, end);
  return R.NON_IP;
}
