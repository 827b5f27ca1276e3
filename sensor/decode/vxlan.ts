// VXLAN (RFC 7348): an 8-byte header whose I flag must be set, then an Ethernet frame.

import { decodeEthernet } from './ethernet.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export function decodeVxlan(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_TUNNEL;
  if ((b[off] & 0x08) === 0) return R.BAD_TUNNEL_HEADER;
  return decodeEthernet(p, b, off + 8, end);
}
