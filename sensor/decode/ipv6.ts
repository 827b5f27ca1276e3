// IPv6 (RFC 8200) and its extension-header chain: hop-by-hop, routing, destination options,
// fragment (non-first fragments skipped), AH, mobility, HIP, shim6. ESP and "no next header"
// end the chain as non_tcp.

import { u16 } from './bytes.js';
import { decodeIpPayload } from './ip-payload.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export function decodeIPv6(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 40) return R.TRUNCATED_IPV6;
  if (b[off] >> 4 !== 6) return R.BAD_IP_VERSION;
  const plen = u16(b, off + 4);
  if (plen !== 0 && off + 40 + plen < end) end = off + 40 + plen; // 0: jumbogram or offload
  p.ipEnd = plen === 0 ? -1 : off + 40 + plen;
  p.ipVersion = 6;
  p.ttl = b[off + 7];
  p.srcOff = off + 8;
  p.dstOff = off + 24;
  let next = b[off + 6];
  off += 40;
  for (;;) {
    switch (next) {
      case 0: // hop-by-hop
      case 43: // routing
      case 60: // destination options
      case 135: // mobility
      case 139: // HIP
      case 140: // shim6
        if (end - off < 2) return R.TRUNCATED_IPV6;
        next = b[off];
        off += (b[off + 1] + 1) << 3;
        if (off > end) return R.TRUNCATED_IPV6;
        continue;
      case 44: // fragment
        if (end - off < 8) return R.TRUNCATED_IPV6;
        if ((u16(b, off + 2) & 0xfff8) !== 0) return R.IP_FRAGMENT;
        next = b[off];
        off += 8;
        continue;
      case 51: // authentication header: length in 4-byte units, minus 2
        if (end - off < 2) return R.TRUNCATED_IPV6;
        next = b[off];
        off += (b[off + 1] + 2) << 2;
        if (off > end) return R.TRUNCATED_IPV6;
        continue;
      default:
        return decodeIpPayload(p, b, off, end, next);
    }
  }
}
