// What an IP header carries: TCP, or a tunnel to peel (UDP-based tunnels, GRE and ERSPAN,
// IP-in-IP, IPv6-in-IP, L2TPv3). Anything else is non_tcp. A tunnel's payload leads back to the
// IP decoders that called this one, so the payloads other than TCP are decoded through a table
// of decoders by IP protocol (as gopacket's protocol -> layer map) that decode.ts fills when it
// loads: the decoder files then import one another without a circle. One call site per protocol
// keeps each call monomorphic, so the compiler still inlines it.

import { IPPROTO } from './encapsulations.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';
import { decodeTcp } from './tcp.js';

export type PayloadDecoder = (p: Packet, b: Uint8Array, off: number, end: number) => number;

const nonTcp: PayloadDecoder = () => R.NON_TCP;

/** The decoders of the IP payloads other than TCP; non_tcp until decode.ts sets them. */
export const IP_PAYLOAD_DECODERS = {
  [IPPROTO.UDP]: nonTcp,
  [IPPROTO.GRE]: nonTcp,
  [IPPROTO.IPIP]: nonTcp,
  [IPPROTO.IPV6]: nonTcp,
  [IPPROTO.L2TP]: nonTcp,
};

const { TCP, UDP, GRE, IPIP, IPV6, L2TP } = IPPROTO;
const next = IP_PAYLOAD_DECODERS;

export function decodeIpPayload(p: Packet, b: Uint8Array, off: number, end: number, proto: number): number {
  switch (proto) {
    case TCP:
      return decodeTcp(p, b, off, end);
    case UDP:
      return next[UDP](p, b, off, end);
    case GRE:
      return next[GRE](p, b, off, end);
    case IPIP:
      return next[IPIP](p, b, off, end);
    case IPV6:
      return next[IPV6](p, b, off, end);
    case L2TP:
      return next[L2TP](p, b, off, end);
    default:
      return R.NON_TCP;
  }
}
