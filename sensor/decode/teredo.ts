// Teredo (RFC 4380 5.1.1): IPv6 in UDP, after an optional authentication header (indicator
// 0x0001, client id and authentication value lengths, nonce, confirmation) and an optional
// origin indication (0x0000, 8 bytes). On UDP 3544 the payload must be IPv6; on any other port
// (only with DecodeOptions.teredoAnyPort) a datagram is taken as Teredo when its payload is an
// IPv6 header whose payload length is exactly what the datagram holds, the check tshark's
// (disabled by default) Teredo heuristic makes.

import { u16 } from './bytes.js';
import { decodeIPv6 } from './ipv6.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

/** The largest IPv6 payload a UDP datagram over IPv4 can carry (65535 - 20 - 8 - 40). */
const MAX_PAYLOAD = 65467;

/** Where the IPv6 header starts after the optional headers; -1 when they are cut short. */
function ipv6Start(b: Uint8Array, off: number, end: number): number {
  if (end - off < 2) return -1;
  let o = off;
  if (u16(b, o) === 1) {
    if (end - o < 4) return -1;
    o += 13 + b[o + 2] + b[o + 3];
    if (end - o < 2) return -1;
  }
  if (u16(b, o) === 0) o += 8;
  return o < end ? o : -1;
}

/** Teredo on its own port. */
export function decodeTeredo(p: Packet, b: Uint8Array, off: number, end: number): number {
  const o = ipv6Start(b, off, end);
  if (o < 0) return R.TRUNCATED_TUNNEL;
  if (b[o] >> 4 !== 6) return R.BAD_TUNNEL_HEADER;
  return decodeIPv6(p, b, o, end);
}

/**
 * Whether the UDP payload b[off, end) is Teredo by its shape; `datagramEnd` is where the UDP
 * length field says the datagram ends (beyond `end` when the capture was cut).
 */
export function looksLikeTeredo(b: Uint8Array, off: number, end: number, datagramEnd: number): boolean {
  const o = ipv6Start(b, off, end);
  if (o < 0 || end - o < 40 || b[o] >> 4 !== 6) return false;
  const plen = u16(b, o + 4);
  return plen <= MAX_PAYLOAD && plen + 40 === datagramEnd - o;
}
