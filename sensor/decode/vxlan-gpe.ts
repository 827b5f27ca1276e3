// VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe, UDP 4790): an 8-byte header, version 0, whose
// next-protocol field names the payload (IPv4, IPv6, Ethernet, NSH, MPLS: nsh.ts). Without the
// P flag the payload is Ethernet, as in VXLAN.

import { decodeEthernet } from './ethernet.js';
import { decodeNextProtocol } from './nsh.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

const VERSION = 0x30;
const P = 0x04; // the next-protocol field is present

export function decodeVxlanGpe(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_TUNNEL;
  const flags = b[off];
  if (flags & VERSION) return R.BAD_TUNNEL_HEADER;
  if ((flags & P) === 0) return decodeEthernet(p, b, off + 8, end);
  return decodeNextProtocol(p, b, off + 8, end, b[off + 3]);
}
