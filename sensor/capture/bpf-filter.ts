// The kernel (BPF) filter for live capture: only TCP segments that can matter to the handshake
// tracker reach JavaScript — SYN or RST set, and (with acks) payload-less pure ACKs — over IPv4
// and IPv6, under up to two VLAN tags, plus the outer headers of each enabled encapsulation,
// whose inner packets are checked in JS. classic BPF cannot walk IPv6 extension headers, so IPv6
// packets whose first next-header is not TCP/UDP/ICMPv6 are passed whole.

import { ENCAPSULATION_TABLE, ENCAPSULATIONS, type Encapsulation } from '../decode/encapsulations.js';

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
  // the enabled tunnels in table order, UDP ports first, then IP protocols (IPv4, then IPv6)
  const enabled = ENCAPSULATIONS.filter((e) => opts.encapsulations.includes(e));
  for (const e of enabled) {
    const d = ENCAPSULATION_TABLE[e];
    if (d.layer === 'udp') ip.push(`(udp dst port ${d.udpPort})`);
  }
  for (const e of enabled) {
    const d = ENCAPSULATION_TABLE[e];
    if (d.layer === 'ip') for (const v of ['ip', 'ip6']) for (const n of d.ipProtocols) ip.push(`(${v} proto ${n})`);
  }
  const x = `(${ip.join(' or ')})`;
  // vlan, mpls and pppoes shift libpcap's offsets for the rest of the expression (so at most
  // one of them is allowed, see LINK_STACKS), nested so that a second tag (label) adds to the first
  const parts = [x];
  if (opts.ethernet === false) return x;
  for (const e of enabled) {
    const d = ENCAPSULATION_TABLE[e];
    if (d.layer === 'link') parts.push(nested(d.bpf, d.depth, x));
  }
  return parts.join(' or ');
}

/** `(k and (x or (k and x)))` for depth 2: x under one to `depth` tags (labels) of kind k. */
function nested(k: string, depth: number, x: string): string {
  return depth === 1 ? `(${k} and ${x})` : `(${k} and (${x} or ${nested(k, depth - 1, x)}))`;
}
