// GRE (RFC 2784/2890) and enhanced GRE v1 (PPTP), and the switch-SPAN encapsulations carried in
// it: ERSPAN type I (0x88be, no sequence), type II (0x88be with sequence, 8-byte header) and
// type III (0x22eb, 12-byte header plus an optional 8-byte platform sub-header). Source-routed
// GRE is refused as bad_tunnel_header. Each GRE header counts as one tunnel, bounded by MAX_TUNNELS.

import { u16 } from './bytes.js';
import { decodeEtherType, decodeEthernet } from './ethernet.js';
import { MAX_TUNNELS, type Packet } from './packet.js';
import { decodePpp } from './ppp.js';
import { R } from './reasons.js';

const GRE_C = 0x8000;
const GRE_R = 0x4000;
const GRE_K = 0x2000;
const GRE_S = 0x1000;
const GRE_A = 0x0080; // v1 acknowledgment present
const TEB = 0x6558; // transparent Ethernet bridging
const ERSPAN_1_2 = 0x88be;
const ERSPAN_3 = 0x22eb;
const PPP = 0x880b;

export function decodeGre(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
  if (end - off < 4) return R.TRUNCATED_TUNNEL;
  const flags = u16(b, off);
  const proto = u16(b, off + 2);
  const version = flags & 0x7;
  let o = off + 4;
  if (version === 0) {
    if (flags & GRE_R) return R.BAD_TUNNEL_HEADER;
    if (flags & GRE_C) o += 4;
    if (flags & GRE_K) o += 4;
    if (flags & GRE_S) o += 4;
  } else if (version === 1) {
    if (proto !== PPP || (flags & GRE_K) === 0) return R.BAD_TUNNEL_HEADER;
    o += 4; // payload length + call id
    if (flags & GRE_S) o += 4;
    if (flags & GRE_A) o += 4;
  } else {
    return R.BAD_TUNNEL_HEADER;
  }
  if (o > end) return R.TRUNCATED_TUNNEL;
  switch (proto) {
    case TEB:
      return decodeEthernet(p, b, o, end);
    case ERSPAN_1_2:
      if (flags & GRE_S) o += 8; // type II header; type I has none
      if (o > end) return R.TRUNCATED_TUNNEL;
      return decodeEthernet(p, b, o, end);
    case ERSPAN_3: {
      if (end - o < 12) return R.TRUNCATED_TUNNEL;
      const frameType = (b[o + 10] >> 2) & 0x1f; // 0 Ethernet, 2 IP
      const hasSubheader = b[o + 11] & 0x01;
      o += hasSubheader ? 20 : 12;
      if (o > end) return R.TRUNCATED_TUNNEL;
      if (frameType === 0) return decodeEthernet(p, b, o, end);
      if (end - o < 1) return R.TRUNCATED_TUNNEL;
      return decodeEtherType(p, b, o, end, b[o] >> 4 === 6 ? 0x86dd : 0x0800);
    }
    case PPP:
      return decodePpp(p, b, o, end);
    default:
      return decodeEtherType(p, b, o, end, proto);
  }
}
