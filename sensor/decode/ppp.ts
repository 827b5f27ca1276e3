// PPP (DLT_PPP, DLT_PPP_SERIAL, and inside PPPoE, GRE and L2TP): an optional HDLC address/control
// pair, then a 1- or 2-byte protocol field. Only IPv4 (0x0021) and IPv6 (0x0057) are followed.

import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export function decodePpp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off >= 2 && b[off] === 0xff && b[off + 1] === 0x03) off += 2; // HDLC framing
  if (end - off < 1) return R.TRUNCATED_LINK;
  let proto: number;
  if (b[off] & 1) {
    proto = b[off]; // compressed 1-byte protocol field
    off += 1;
  } else {
    if (end - off < 2) return R.TRUNCATED_LINK;
    proto = (b[off] << 8) | b[off + 1];
    off += 2;
  }
  if (proto === 0x0021) return decodeIPv4(p, b, off, end);
  if (proto === 0x0057) return decodeIPv6(p, b, off, end);
  return R.NON_IP;
}
