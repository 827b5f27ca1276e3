// NSH, the Network Service Header (RFC 8300): a base header (version 0, length in 4-byte words,
// MD type, next protocol), the service path header and context headers, skipped by the length.
// Nested NSH headers are walked in a loop. The next-protocol numbers (IANA "NSH Next Protocol",
// shared by VXLAN-GPE) lead to IPv4, IPv6, Ethernet, NSH or MPLS; others are non_ip.

import { decodeEthernet } from './ethernet.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { decodeMpls } from './mpls.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export const NEXT_PROTO = { IPV4: 1, IPV6: 2, ETHERNET: 3, NSH: 4, MPLS: 5 } as const;

export function decodeNsh(p: Packet, b: Uint8Array, off: number, end: number): number {
  for (;;) {
    if (end - off < 8) return R.TRUNCATED_TUNNEL;
    const len = (b[off + 1] & 0x3f) << 2;
    if (b[off] >> 6 !== 0 || len < 8) return R.BAD_TUNNEL_HEADER;
    if (end - off < len) return R.TRUNCATED_TUNNEL;
    const next = b[off + 3];
    off += len;
    if (next !== NEXT_PROTO.NSH) return decodeNextProtocol(p, b, off, end, next);
  }
}

/** The payload named by a VXLAN-GPE or NSH next-protocol number. */
export function decodeNextProtocol(p: Packet, b: Uint8Array, off: number, end: number, next: number): number {
  switch (next) {
    case NEXT_PROTO.IPV4:
      return decodeIPv4(p, b, off, end);
    case NEXT_PROTO.IPV6:
      return decodeIPv6(p, b, off, end);
    case NEXT_PROTO.ETHERNET:
      return decodeEthernet(p, b, off, end);
    case NEXT_PROTO.NSH:
      return decodeNsh(p, b, off, end);
    case NEXT_PROTO.MPLS:
      return decodeMpls(p, b, off, end);
    default:
      return R.NON_IP;
  }
}
