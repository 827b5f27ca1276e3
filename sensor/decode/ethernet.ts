// Ethernet II and the EtherType chain behind it: 802.1Q / 802.1ad (QinQ) tags, MPLS, PPPoE
// session frames, the MAC-in-MAC headers of 802.1ah (PBB) and Cisco FabricPath (mac-in-mac.ts),
// then IPv4 or IPv6.
// 802.3/LLC frames and other EtherTypes are "non_ip".

import { u16 } from './bytes.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { macInMacEnd, NOT_MAC_IN_MAC, TRUNCATED } from './mac-in-mac.js';
import { decodeMpls } from './mpls.js';
import { decodePpp } from './ppp.js';
import { MAX_TUNNELS, type Packet } from './packet.js';
import { R } from './reasons.js';

export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const ETH_QINQ_OLD = 0x9100;
const ETH_MPLS = 0x8847;
const ETH_MPLS_MC = 0x8848;
const ETH_PPPOE = 0x8864;

export function decodeEthernet(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 14) return R.TRUNCATED_LINK;
  return decodeEtherType(p, b, off + 14, end, u16(b, off + 12));
}

/** Continue decoding at `off`, where a payload of the given EtherType starts. */
export function decodeEtherType(p: Packet, b: Uint8Array, off: number, end: number, type: number): number {
  for (;;) {
    switch (type) {
      case ETH_IPV4:
        return decodeIPv4(p, b, off, end);
      case ETH_IPV6:
        return decodeIPv6(p, b, off, end);
      case ETH_VLAN:
      case ETH_QINQ:
      case ETH_QINQ_OLD:
        if (end - off < 4) return R.TRUNCATED_VLAN;
        p.vlan = u16(b, off) & 0x0fff;
        type = u16(b, off + 2);
        off += 4;
        continue;
      case ETH_MPLS:
      case ETH_MPLS_MC:
        return decodeMpls(p, b, off, end);
      case ETH_PPPOE:
        if (end - off < 8) return R.TRUNCATED_LINK;
        return decodePpp(p, b, off + 6, end);
      default:
        return decodeMacInMac(p, b, off, end, type);
    }
  }
}

/**
 * The frame behind a MAC-in-MAC header (mac-in-mac.ts), or non_ip for other EtherTypes. Each
 * counts as a tunnel, bounded by MAX_TUNNELS (which also bounds this recursion).
 */
function decodeMacInMac(p: Packet, b: Uint8Array, off: number, end: number, type: number): number {
  const o = macInMacEnd(off, end, type);
  if (o === NOT_MAC_IN_MAC) return R.NON_IP;
  if (o === TRUNCATED) return R.TRUNCATED_LINK;
  if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
  return decodeEtherType(p, b, o, end, u16(b, o - 2));
}
