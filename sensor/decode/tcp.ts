// TCP header (RFC 9293). Needs only the first 14 bytes (ports, seq, ack, flags), so header-only
// captures with a small snaplen still decode; window and the MSS option are read when captured.

import { u16, u32 } from './bytes.js';
import { SYN, type Packet } from './packet.js';
import { R } from './reasons.js';

export function decodeTcp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 14) return R.TRUNCATED_TCP;
  const hlen = (b[off + 12] >> 4) << 2;
  if (hlen < 20) return R.BAD_TCP_HEADER;
  p.sport = u16(b, off);
  p.dport = u16(b, off + 2);
  p.seq = u32(b, off + 4);
  p.ack = u32(b, off + 8);
  p.flags = b[off + 13];
  p.payload = p.ipEnd < 0 ? -1 : Math.max(p.ipEnd - off - hlen, 0);
  if (end - off >= 16) p.window = u16(b, off + 14);
  if (p.flags & SYN && hlen > 20) p.mss = findMss(b, off + 20, Math.min(end, off + hlen));
  return 0;
}

/** The MSS option's value, or -1 when absent or not captured. */
function findMss(b: Uint8Array, o: number, end: number): number {
  while (o < end) {
    const kind = b[o];
    if (kind === 0) return -1; // end of options
    if (kind === 1) {
      o++; // no-op
      continue;
    }
    if (o + 1 >= end) return -1;
    const len = b[o + 1];
    if (len < 2) return -1;
    if (kind === 2 && len === 4 && o + 4 <= end) return u16(b, o + 2);
    o += len;
  }
  return -1;
}
