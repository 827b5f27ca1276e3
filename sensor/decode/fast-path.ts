// The common case decoded flat: Ethernet, 802.1Q/802.1ad tags, IPv4 (any options) or IPv6
// without extension headers, TCP. It fills the Packet exactly as the general path (link.ts
// onwards) would, and gives up on anything else (malformed, fragments, tunnels, other protocols),
// resetting the Packet for the general path to decide (its gain: benchmarks/README.md); a test
// compares both paths on the golden captures and on mutated frames.

import { ETH_IPV4, ETH_IPV6, ETH_QINQ, ETH_QINQ_OLD, ETH_VLAN } from './ethernet.js';
import type { Packet } from './packet.js';
import { decodeTcp } from './tcp.js';

const GIVE_UP = -1;

/** 0 when `p` holds the TCP segment of this Ethernet frame, GIVE_UP (and `p` reset) otherwise. */
export function decodeEthernetTcp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 14) return giveUp(p, b);
  let type = (b[off + 12] << 8) | b[off + 13];
  off += 14;
  while (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) {
    if (end - off < 4) return giveUp(p, b);
    p.vlan = ((b[off] << 8) | b[off + 1]) & 0x0fff;
    type = (b[off + 2] << 8) | b[off + 3];
    off += 4;
  }
  if (type === ETH_IPV4) {
    if (end - off < 20) return giveUp(p, b);
    const vihl = b[off];
    const hlen = (vihl & 0x0f) << 2;
    if (vihl >> 4 !== 4 || hlen < 20 || end - off < hlen || b[off + 9] !== 6) return giveUp(p, b);
    const total = (b[off + 2] << 8) | b[off + 3];
    if (total !== 0) {
      if (total < hlen) return giveUp(p, b);
      if (off + total < end) end = off + total; // link-layer padding
    }
    if ((((b[off + 6] << 8) | b[off + 7]) & 0x1fff) !== 0) return giveUp(p, b); // a later fragment
    p.ipEnd = total === 0 ? -1 : off + total;
    p.ipVersion = 4;
    p.ttl = b[off + 8];
    p.srcOff = off + 12;
    p.dstOff = off + 16;
    return tcp(p, b, off + hlen, end);
  }
  if (type === ETH_IPV6) {
    if (end - off < 40 || b[off] >> 4 !== 6 || b[off + 6] !== 6) return giveUp(p, b);
    const plen = (b[off + 4] << 8) | b[off + 5];
    if (plen !== 0 && off + 40 + plen < end) end = off + 40 + plen;
    p.ipEnd = plen === 0 ? -1 : off + 40 + plen;
    p.ipVersion = 6;
    p.ttl = b[off + 7];
    p.srcOff = off + 8;
    p.dstOff = off + 24;
    return tcp(p, b, off + 40, end);
  }
  return giveUp(p, b);
}

function tcp(p: Packet, b: Uint8Array, off: number, end: number): number {
  // decodeTcp's own checks, made first so that it cannot fail here
  if (end - off < 14 || b[off + 12] >> 4 < 5) return giveUp(p, b);
  return decodeTcp(p, b, off, end);
}

function giveUp(p: Packet, b: Uint8Array): number {
  p.reset(b);
  return GIVE_UP;
}
