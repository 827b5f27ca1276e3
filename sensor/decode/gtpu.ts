// GTP-U version 1 (3GPP TS 29.281), as carried on mobile backhaul mirrors: only G-PDU
// messages carry user packets; the optional fields and extension-header chain are skipped.

import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export function decodeGtpu(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_TUNNEL;
  const flags = b[off];
  if (flags >> 5 !== 1 || (flags & 0x10) === 0) return R.BAD_TUNNEL_HEADER;
  if (b[off + 1] !== 0xff) return R.NON_TCP; // not a G-PDU (echo, error indication…)
  let o = off + 8;
  if (flags & 0x07) {
    if (end - o < 4) return R.TRUNCATED_TUNNEL;
    let ext = flags & 0x04 ? b[o + 3] : 0;
    o += 4;
    while (ext !== 0) {
      if (end - o < 1) return R.TRUNCATED_TUNNEL;
      const len = b[o] << 2;
      if (len === 0 || end - o < len) return R.TRUNCATED_TUNNEL;
      ext = b[o + len - 1];
      o += len;
    }
  }
  if (end - o < 1) return R.TRUNCATED_TUNNEL;
  const v = b[o] >> 4;
  if (v === 4) return decodeIPv4(p, b, o, end);
  if (v === 6) return decodeIPv6(p, b, o, end);
  return R.NON_IP;
}
