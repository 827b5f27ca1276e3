// The decoder fixtures' cases for Ethernet, the older link types and tunnels: each frame, built
// byte by byte (frames.ts), and the fields it was built with. make-decoder-fixtures.ts writes
// them out with the tcpdump and tshark lines that read them.

import {
  type Bytes,
  erspan2,
  erspan3,
  eth,
  ethTagged,
  F,
  geneve,
  gre,
  gtpu,
  hex,
  ipv4,
  ipv6,
  mpls,
  nullLink,
  nflog,
  cHdlc,
  ppp,
  pppoe,
  sll,
  sll2,
  tcp,
  udp,
  vxlan,
} from './frames.js';

export interface Expect {
  reason: string;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  flags?: number;
  vlan?: number;
  ttl?: number;
  window?: number;
  mss?: number;
  tunnels?: number;
}
export interface Case {
  name: string;
  linktype: number;
  frame: Bytes;
  caplen?: number;
  expect: Expect;
  /** decode options the case needs (replay --teredo-any) */
  options?: { teredoAnyPort: boolean };
  /** tshark options the case needs to read it as built (`-o capwap.swap_fc:FALSE`) */
  tshark?: string[];
  /** frames tshark must read first to know the session (L2TPv3's control messages), same link type */
  prelude?: Bytes[];
}

export const C4 = '198.51.100.7';
export const S4 = '192.0.2.10';
export const C6 = '2001:db8:1::7';
export const S6 = '2001:db8:2::10';
const syn = tcp({ sport: 40000, dport: 443, seq: 1000, flags: F.SYN, mss: 1460, window: 64240 });
const synack6 = tcp({ sport: 443, dport: 40000, seq: 5000, ack: 1001, flags: F.SYN | F.ACK, mss: 1440, window: 65160 });
export const v4 = ipv4({ src: C4, dst: S4, proto: 6, ttl: 63 }, syn);
export const v6 = ipv6({ src: S6, dst: C6, next: 6, hlim: 57 }, synack6);
export const e4 = eth(0x0800, v4);
export const e6 = eth(0x86dd, v6);
export const outer = (proto: number, p: Bytes): Bytes => ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto }, p);
export const ok4 = (extra: Partial<Expect> = {}): Expect => ({
  reason: 'ok',
  src: C4,
  dst: S4,
  sport: 40000,
  dport: 443,
  flags: F.SYN,
  ttl: 63,
  window: 64240,
  mss: 1460,
  ...extra,
});
export const ok6 = (extra: Partial<Expect> = {}): Expect => ({
  reason: 'ok',
  src: S6,
  dst: C6,
  sport: 443,
  dport: 40000,
  flags: F.SYN | F.ACK,
  ttl: 57,
  window: 65160,
  mss: 1440,
  ...extra,
});

let nest: Bytes = e4;
for (let i = 0; i < 5; i++) nest = eth(0x0800, outer(17, udp(1000, 4789, vxlan(i, nest))));

export const baseCases: Case[] = [
  { name: 'ethernet ipv4 syn', linktype: 1, frame: e4, expect: ok4() },
  { name: 'ethernet ipv6 syn+ack', linktype: 1, frame: e6, expect: ok6() },
  { name: '802.1Q vlan', linktype: 1, frame: ethTagged([[0x8100, 42]], 0x0800, v4), expect: ok4({ vlan: 42 }) },
  {
    name: '802.1ad QinQ',
    linktype: 1,
    frame: ethTagged(
      [
        [0x88a8, 100],
        [0x8100, 42],
      ],
      0x86dd,
      v6,
    ),
    expect: ok6({ vlan: 42 }),
  },
  { name: 'MPLS two labels', linktype: 1, frame: eth(0x8847, mpls([16, 17], v4)), expect: ok4() },
  { name: 'PPPoE session', linktype: 1, frame: eth(0x8864, pppoe(v6)), expect: ok6() },
  { name: 'Linux cooked v1', linktype: 113, frame: sll(0x0800, v4), expect: ok4() },
  { name: 'Linux cooked v2', linktype: 276, frame: sll2(0x86dd, v6), expect: ok6() },
  { name: 'raw IP', linktype: 101, frame: v6, expect: ok6() },
  { name: 'BSD null, little-endian AF_INET', linktype: 0, frame: nullLink(2, v4), expect: ok4() },
  { name: 'BSD loop, AF_INET6 (OpenBSD 24)', linktype: 108, frame: nullLink(24, v6, true), expect: ok6() },
  { name: 'PPP', linktype: 9, frame: ppp(v4), expect: ok4() },
  { name: 'NFLOG (IPv6 packet after a prefix TLV)', linktype: 239, frame: nflog(v6), expect: ok6() },
  { name: 'Cisco HDLC', linktype: 104, frame: cHdlc(v4), expect: ok4() },
  {
    name: 'VXLAN',
    linktype: 1,
    frame: eth(0x0800, outer(17, udp(49152, 4789, vxlan(5001, e4)))),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'GENEVE with options',
    linktype: 1,
    frame: eth(0x0800, outer(17, udp(49152, 6081, geneve(0x6558, e6, 2)))),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'GRE with key, IPv4 inside',
    linktype: 1,
    frame: eth(0x0800, outer(47, gre(0x0800, v4, { key: 7, checksum: true }))),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'GRE transparent Ethernet bridging',
    linktype: 1,
    frame: eth(0x0800, outer(47, gre(0x6558, e6))),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'ERSPAN type I (no sequence)',
    linktype: 1,
    frame: eth(0x0800, outer(47, gre(0x88be, e4))),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'ERSPAN type II',
    linktype: 1,
    frame: eth(0x0800, outer(47, gre(0x88be, erspan2(5, e4), { seq: 9 }))),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'ERSPAN type III with platform sub-header',
    linktype: 1,
    frame: eth(0x0800, outer(47, gre(0x22eb, erspan3(5, e6, true), { seq: 9 }))),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'GTP-U',
    linktype: 1,
    frame: eth(0x0800, outer(17, udp(2152, 2152, gtpu(1, v4)))),
    expect: ok4({ tunnels: 1 }),
  },
  { name: 'IPv6 in IPv4 (6in4)', linktype: 1, frame: eth(0x0800, outer(41, v6)), expect: ok6({ tunnels: 1 }) },
  {
    name: 'IPv6 hop-by-hop, destination options, fragment header at offset 0',
    linktype: 1,
    frame: eth(
      0x86dd,
      ipv6(
        {
          src: S6,
          dst: C6,
          next: 6,
          hlim: 57,
          ext: [
            [0, hex('01 04 00 00 00 00')],
            [60, hex('01 04 00 00 00 00')],
            [44, hex('00 00 12 34 56 78')],
          ],
        },
        synack6,
      ),
    ),
    expect: ok6(),
  },
  {
    name: 'IPv4 with options',
    linktype: 1,
    frame: eth(0x0800, ipv4({ src: C4, dst: S4, proto: 6, ttl: 63, options: hex('01 01 01 00') }, syn)),
    expect: ok4(),
  },
  {
    name: 'header-only: 14 bytes of TCP captured',
    linktype: 1,
    frame: e4,
    caplen: 14 + 20 + 14,
    expect: ok4({ window: -1, mss: -1 }),
  },
  {
    name: 'IPv4 non-first fragment',
    linktype: 1,
    frame: eth(0x0800, ipv4({ src: C4, dst: S4, proto: 6, fragOffset: 185 }, hex('00'.repeat(24)))),
    expect: { reason: 'ip_fragment' },
  },
  {
    name: 'IPv6 non-first fragment',
    linktype: 1,
    frame: eth(
      0x86dd,
      ipv6({ src: S6, dst: C6, next: 6, ext: [[44, hex('05 c8 12 34 56 78')]] }, hex('00'.repeat(24))),
    ),
    expect: { reason: 'ip_fragment' },
  },
  {
    name: 'UDP that is no tunnel',
    linktype: 1,
    frame: eth(0x0800, ipv4({ src: C4, dst: S4, proto: 17 }, udp(5353, 53, hex('00'.repeat(12))))),
    expect: { reason: 'non_tcp' },
  },
  {
    name: 'ARP',
    linktype: 1,
    frame: eth(0x0806, hex('0001 0800 0604 0001 02000000000a c0000201 000000000000 c000020a')),
    expect: { reason: 'non_ip' },
  },
  { name: 'TCP cut at 13 bytes', linktype: 1, frame: e4, caplen: 14 + 20 + 13, expect: { reason: 'truncated_tcp' } },
  { name: 'IPv4 header cut', linktype: 1, frame: e4, caplen: 14 + 12, expect: { reason: 'truncated_ipv4' } },
  { name: 'Ethernet header cut', linktype: 1, frame: e4, caplen: 10, expect: { reason: 'truncated_link' } },
  {
    name: 'IPv4 IHL below 5',
    linktype: 101,
    frame: Uint8Array.from([0x44, ...v4.subarray(1)]),
    expect: { reason: 'bad_ipv4_header' },
  },
  {
    name: 'TCP data offset below 5',
    linktype: 101,
    frame: Uint8Array.from([...v4.subarray(0, 32), 0x30, ...v4.subarray(33)]),
    expect: { reason: 'bad_tcp_header' },
  },
  {
    name: 'VXLAN without the I flag',
    linktype: 1,
    frame: eth(0x0800, outer(17, udp(49152, 4789, Uint8Array.from([0, ...vxlan(1, e4).subarray(1)])))),
    expect: { reason: 'bad_tunnel_header' },
  },
  { name: 'five nested VXLAN tunnels', linktype: 1, frame: nest, expect: { reason: 'encap_too_deep' } },
  { name: 'unsupported link type (USER0)', linktype: 147, frame: e4, expect: { reason: 'unsupported_linktype' } },
];
