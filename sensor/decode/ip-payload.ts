// What an IP header carries: TCP, or a tunnel to peel (UDP-based VXLAN/GENEVE, GRE and ERSPAN,
// IP-in-IP, IPv6-in-IP). Anything else is non_tcp. Nesting is bounded by MAX_TUNNELS.

import { decodeGre } from './gre.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { MAX_TUNNELS, type Packet } from './packet.js';
import { R } from './reasons.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';

export function decodeIpPayload(p: Packet, b: Uint8Array, off: number, end: number, proto: number): number {
  switch (proto) {
    case 6:
      return decodeTcp(p, b, off, end);
    case 17:
      return decodeUdp(p, b, off, end);
    case 47:
      if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
      return decodeGre(p, b, off, end);
    case 4:
      if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
      return decodeIPv4(p, b, off, end);
    case 41:
      if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
      return decodeIPv6(p, b, off, end);
    default:
      return R.NON_TCP;
  }
}
