// GENEVE (RFC 8926): 8 bytes plus variable options, then the EtherType-named payload
// (0x6558 Ethernet, or IPv4/IPv6 directly).

import { u16 } from './bytes.js';
import { decodeEtherType, decodeEthernet } from './ethernet.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export function decodeGeneve(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_TUNNEL;
  if (b[off] >> 6 !== 0) return R.BAD_TUNNEL_HEADER; // version 0 only
  const hlen = 8 + ((b[off] & 0x3f) << 2);
  if (end - off < hlen) return R.TRUNCATED_TUNNEL;
  const proto = u16(b, off + 2);
  if (proto === 0x6558) return decodeEthernet(p, b, off + hlen, end);
  return decodeEtherType(p, b, off + hlen, end, proto);
}
