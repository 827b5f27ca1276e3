// The kernel (BPF) filter for live capture: only TCP segments that can matter to the handshake
// tracker reach JavaScript — SYN or RST set, and (with acks) payload-less pure ACKs — over IPv4
// and IPv6, under up to two VLAN tags, plus the outer headers of each enabled encapsulation,
// whose inner packets are checked in JS. classic BPF cannot walk IPv6 extension headers, so IPv6
// packets whose first next-header is not TCP/UDP/ICMPv6 are passed whole. `teredo-any` passes
// the UDP datagrams shaped like Teredo (an IPv6 header, optionally after an origin indication,
// whose length fills the datagram; over IPv6 only without extension headers), never all UDP;
// Teredo behind an authentication header (qualification only) is not matched there.

import {
  ENCAPSULATION_TABLE,
  ENCAPSULATIONS,
  type Encapsulation,
  type EncapsulationDef,
} from '../decode/encapsulations.js';

/** UDP whose payload is an IPv6 header filling the datagram, bare or after an origin indication. */
const TEREDO_SHAPED = [
  '(udp and udp[8] & 0xf0 == 0x60 and udp[4:2] == udp[12:2] + 48)',
  '(udp and udp[8:2] == 0 and udp[16] & 0xf0 == 0x60 and udp[4:2] == udp[20:2] + 56)',
  '(ip6 and ip6[6] == 17 and ip6[48] & 0xf0 == 0x60 and ip6[44:2] == ip6[52:2] + 48)',
  '(ip6 and ip6[6] == 17 and ip6[48:2] == 0 and ip6[56] & 0xf0 == 0x60 and ip6[44:2] == ip6[60:2] + 56)',
];

/**
 * The filter text. `ethernet: false` (raw IP, Linux cooked, loopback links) leaves out the
 * vlan/mpls/pppoe clauses, which libpcap only accepts on Ethernet, and the MAC-in-MAC ones.
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
    const d: EncapsulationDef = ENCAPSULATION_TABLE[e];
    if (d.layer === 'udp') ip.push(`(udp ${d.bothPorts ? '' : 'dst '}port ${d.udpPort})`);
    if (d.layer === 'udp-any') ip.push(...TEREDO_SHAPED);
  }
  for (const e of enabled) {
    const d: EncapsulationDef = ENCAPSULATION_TABLE[e];
    const protos = d.layer === 'ip' || d.layer === 'udp' ? (d.ipProtocols ?? []) : [];
    for (const v of ['ip', 'ip6']) for (const n of protos) ip.push(`(${v} proto ${n})`);
  }
  const x = `(${ip.join(' or ')})`;
  if (opts.ethernet === false) return x;
  // MAC-in-MAC headers at fixed offsets (no keyword, so no offset shift), untagged or under one tag
  const parts = [x];
  for (const e of enabled) {
    const d: EncapsulationDef = ENCAPSULATION_TABLE[e];
    if (d.layer !== 'ethertype') continue;
    const t = `0x${d.etherType.toString(16)}`;
    parts.push(`(ether[12:2] == ${t} or ((ether[12:2] == 0x8100 or ether[12:2] == 0x88a8) and ether[16:2] == ${t}))`);
  }
  // vlan, mpls and pppoes shift libpcap's offsets for the rest of the expression (so at most
  // one of them is allowed, see LINK_STACKS, and they come last), nested so that a second tag
  // (label) adds to the first
  for (const e of enabled) {
    const d: EncapsulationDef = ENCAPSULATION_TABLE[e];
    if (d.layer === 'link') parts.push(nested(d.bpf, d.depth, x));
  }
  return parts.join(' or ');
}

/** `(k and (x or (k and x)))` for depth 2: x under one to `depth` tags (labels) of kind k. */
function nested(k: string, depth: number, x: string): string {
  return depth === 1 ? `(${k} and ${x})` : `(${k} and (${x} or ${nested(k, depth - 1, x)}))`;
}
