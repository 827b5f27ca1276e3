// Cisco HDLC: an address byte (0x0f unicast, 0x8f broadcast), a control byte, an EtherType.
// Some routers write it under the PPP link types, and L2TP may carry it where PPP is expected:
// decodeHdlcFramed tells the two by the address byte, as tshark does (PPP's is 0xff).

import { u16 } from './bytes.js';
import { decodeEtherType } from './ethernet.js';
import type { Packet } from './packet.js';
import { decodePpp } from './ppp.js';
import { R } from './reasons.js';

export function decodeCiscoHdlc(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 4) return R.TRUNCATED_LINK;
  return decodeEtherType(p, b, off + 4, end, u16(b, off + 2));
}

/** A frame that is PPP (with or without its 0xff 0x03 header) or Cisco HDLC. */
export function decodeHdlcFramed(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off >= 1 && (b[off] === 0x0f || b[off] === 0x8f)) return decodeCiscoHdlc(p, b, off, end);
  return decodePpp(p, b, off, end);
}
