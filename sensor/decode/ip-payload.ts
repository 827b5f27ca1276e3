// What an IP header carries: TCP, or a tunnel to peel (UDP-based VXLAN/GENEVE/GTP-U, GRE and
// ERSPAN, IP-in-IP, IPv6-in-IP). Anything else is non_tcp. A tunnel's payload leads back to the
// IP decoders that called this one, so every payload but TCP is dispatched through a table by
// IP protocol (as gopacket's protocol -> layer map), filled by decode.ts when it loads: the
// decoder files then import one another without a circle.

import { IPPROTO } from './encapsulations.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';
import { decodeTcp } from './tcp.js';

export type PayloadDecoder = (p: Packet, b: Uint8Array, off: number, end: number) => number;

const nonTcp: PayloadDecoder = () => R.NON_TCP;

/** Decoders by IP protocol number (0-255); non_tcp for those not followed. */
export const IP_PAYLOAD_DECODERS: PayloadDecoder[] = Array.from({ length: 256 }, () => nonTcp);

const TCP = IPPROTO.TCP;

export function decodeIpPayload(p: Packet, b: Uint8Array, off: number, end: number, proto: number): number {
  if (proto === TCP) return decodeTcp(p, b, off, end);
  return IP_PAYLOAD_DECODERS[proto](p, b, off, end);
}
