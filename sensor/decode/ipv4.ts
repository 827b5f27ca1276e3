// IPv4 (RFC 791). Options are skipped by IHL; the header checksum is not verified (offloads
// make it wrong in most captures). Non-first fragments are skipped: they carry no TCP header.

import { u16 } from './bytes.js';
import { decodeIpPayload } from './ip-payload.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export function decodeIPv4(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 20) return R.TRUNCATED_IPV4;
  const vihl = b[off];
  if (vihl >> 4 !== 4) return R.BAD_IP_VERSION;
  const hlen = (vihl & 0x0f) << 2;
  if (hlen < 20) return R.BAD_IPV4_HEADER;
  if (end - off < hlen) return R.TRUNCATED_IPV4;
  const total = u16(b, off + 2);
  p.ipEnd = total === 0 ? -1 : off + total;
  if (total !== 0) {
    // total 0 appears with TCP segmentation offload; trust the captured length then
    if (total < hlen) return R.BAD_IPV4_HEADER;
    if (off + total < end) end = off + total; // drop link-layer padding
  }
  if ((u16(b, off + 6) & 0x1fff) !== 0) return R.IP_FRAGMENT;
  p.ipVersion = 4;
  p.ttl = b[off + 8];
  p.srcOff = off + 12;
  p.dstOff = off + 16;
  return decodeIpPayload(p, b, off + hlen, end, b[off + 9]);
}
