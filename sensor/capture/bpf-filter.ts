// The kernel (BPF) filter for live capture: only TCP segments that can matter to the handshake
// tracker reach JavaScript — SYN or RST set, and (with acks) payload-less pure ACKs — over IPv4
// and IPv6, under up to two VLAN tags, plus the outer headers of each enabled encapsulation,
// whose inner packets are checked in JS. classic BPF cannot walk IPv6 extension headers, so IPv6
// packets whose first next-header is not TCP/UDP/ICMPv6 are passed whole.

import type { Encapsulation } from '../config.js';

/** Encapsulations below IP that libpcap handles by shifting offsets: one per filter at most. */
export const LINK_STACKS: readonly Encapsulation[] = ['vlan', 'mpls', 'pppoe'];

/**
 * The filter text. `ethernet: false` (raw IP, Linux cooked, loopback links) leaves out the
 * vlan/mpls/pppoe clauses, which libpcap only accepts on Ethernet.
 */
export function buildFilter(opts: {
  acks: boolean;
  encapsulations: readonly Encapsulation[];
  ethernet?: boolean;
}): string {
  const v4Flags = opts.acks
    ? '(tcp[13] & 0x06 != 0 or (tcp[13] & 0x3f == 0x10 and ip[2:2] - ((ip[0] & 0x0f) << 2) - ((tcp[12] & 0xf0) >> 2) == 0))'
    : '(tcp[13] & 0x06 != 0)';
  const v6Flags = opts.acks
    ? '(ip6[53] & 0x06 != 0 or (ip6[53] & 0x3f == 0x10 and ip6[4:2] - ((ip6[52] & 0xf0) >> 2) == 0))'
    : '(ip6[53] & 0x06 != 0)';
  const ip = [
    `(ip and tcp and ${v4Flags})`,
    `(ip6 and ip6[6] == 6 and ${v6Flags})`,
    '(ip6 and ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)',
  ];
  const enc = new Set(opts.encapsulations);
  if (enc.has('vxlan')) ip.push('(udp dst port 4789)');
  if (enc.has('geneve')) ip.push('(udp dst port 6081)');
  if (enc.has('gtpu')) ip.push('(udp dst port 2152)');
  if (enc.has('gre')) ip.push('(ip proto 47)', '(ip6 proto 47)');
  if (enc.has('ipip')) ip.push('(ip proto 4)', '(ip proto 41)', '(ip6 proto 4)', '(ip6 proto 41)');
  const x = `(${ip.join(' or ')})`;
  // vlan, mpls and pppoes shift libpcap's offsets for the rest of the expression (so at most
  // one of them is allowed, see LINK_STACKS), nested so that a second tag (label) adds to the first
  const parts = [x];
  if (opts.ethernet === false) return x;
  if (enc.has('vlan')) parts.push(`(vlan and (${x} or (vlan and ${x})))`);
  if (enc.has('mpls')) parts.push(`(mpls and (${x} or (mpls and (${x} or (mpls and ${x})))))`);
  if (enc.has('pppoe')) parts.push(`(pppoes and ${x})`);
  return parts.join(' or ');
}
