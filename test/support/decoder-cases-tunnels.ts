// The decoder fixtures' cases for ARCnet, Cisco HDLC under the PPP link types, and the tunnels
// and tags added for issue 18: VXLAN-GPE (and NSH), Teredo, L2TP v2/v3, MPLS over UDP and GRE,
// 802.1ah (PBB) and Cisco FabricPath.

import { type Case, e4, e6, ok4, ok6, outer, v4, v6 } from './decoder-cases.js';
import { cHdlc, cat, erspan2, eth, ethTagged, gre, hex, ipv4, ipv6, mpls, udp } from './frames.js';
import {
  arcnet,
  fabricPath,
  GPE,
  itag,
  l2tpv2,
  l2tpv2Control,
  l2tpv3Ip,
  l2tpv3Setup,
  l2tpv3Udp,
  nsh,
  pppFrame,
  teredo,
  vxlanGpe,
} from './frames-tunnels.js';

const A = '203.0.113.1';
const B = '203.0.113.2';
const u = (sport: number, dport: number, payload: Uint8Array): Uint8Array =>
  eth(0x0800, outer(17, udp(sport, dport, payload)));
const overIp = (src: string, dst: string, proto: number, payload: Uint8Array): Uint8Array =>
  eth(0x0800, ipv4({ src, dst, proto }, payload));
const cookie4 = hex('de ad be ef');
const cookie8 = hex('01 02 03 04 05 06 07 08');

/** The L2TPv3 control messages tshark must see first, and the data frame from A to B. */
function l2tpv3Case(
  ip: boolean,
  o: Parameters<typeof l2tpv3Setup>[0],
  data: Uint8Array,
): Pick<Case, 'frame' | 'prelude'> {
  const s = l2tpv3Setup(o);
  const wrap = (src: string, dst: string, m: Uint8Array): Uint8Array =>
    ip ? overIp(src, dst, 115, m) : overIp(src, dst, 17, udp(1701, 1701, m));
  return {
    frame: wrap(A, B, data),
    prelude: [wrap(A, B, s.fromA[0]), wrap(B, A, s.fromB[0]), wrap(A, B, s.fromA[1]), wrap(B, A, s.fromB[1])],
  };
}

export const tunnelCases: Case[] = [
  { name: 'ARCnet (BSD), RFC 1201 IPv4', linktype: 7, frame: arcnet(v4), expect: ok4() },
  { name: 'ARCnet (BSD), exception header', linktype: 7, frame: arcnet(v4, { exception: true }), expect: ok4() },
  { name: 'ARCnet (BSD), RFC 1051 IPv4', linktype: 7, frame: arcnet(v4, { rfc1051: true }), expect: ok4() },
  { name: 'ARCnet (Linux), IPv6', linktype: 129, frame: arcnet(v6, { linux: true }), expect: ok6() },
  {
    name: 'ARCnet, a later fragment of a split packet',
    linktype: 7,
    frame: Uint8Array.from([0x01, 0x02, 212, 0x04, 0x00, 0x07, ...v4.subarray(20)]),
    expect: { reason: 'ip_fragment' },
  },
  { name: 'Cisco HDLC under the PPP link type', linktype: 9, frame: cHdlc(v4), expect: ok4() },
  {
    name: 'Cisco HDLC (broadcast address) under the PPP-serial link type',
    linktype: 50,
    frame: Uint8Array.from([0x8f, ...cHdlc(v6).subarray(1)]),
    expect: ok6(),
  },
  {
    name: 'VXLAN-GPE, IPv4',
    linktype: 1,
    frame: u(49152, 4790, vxlanGpe(GPE.IPV4, 7, v4)),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'VXLAN-GPE, IPv6',
    linktype: 1,
    frame: u(49152, 4790, vxlanGpe(GPE.IPV6, 7, v6)),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'VXLAN-GPE, Ethernet',
    linktype: 1,
    frame: u(49152, 4790, vxlanGpe(GPE.ETHERNET, 7, e4)),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'VXLAN-GPE, NSH MD type 1, IPv4',
    linktype: 1,
    frame: u(49152, 4790, vxlanGpe(GPE.NSH, 7, nsh(GPE.IPV4, v4))),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'VXLAN-GPE, NSH MD type 2 with context TLVs, Ethernet',
    linktype: 1,
    frame: u(49152, 4790, vxlanGpe(GPE.NSH, 7, nsh(GPE.ETHERNET, e6, { mdType: 2, tlvWords: 2 }))),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'VXLAN-GPE, MPLS',
    linktype: 1,
    frame: u(49152, 4790, vxlanGpe(GPE.MPLS, 7, mpls([16], v4))),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'GRE, ERSPAN type II, VXLAN-GPE',
    linktype: 1,
    frame: eth(0x0800, outer(47, gre(0x88be, erspan2(5, u(49152, 4790, vxlanGpe(GPE.IPV4, 7, v4))), { seq: 1 }))),
    expect: ok4({ tunnels: 2 }),
  },
  {
    name: 'Teredo on 3544, from the server port',
    linktype: 1,
    frame: u(3544, 50000, teredo(v6)),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'Teredo on 3544 with authentication and origin indication',
    linktype: 1,
    frame: u(50000, 3544, teredo(v6, { origin: true, auth: { id: hex('01 02'), value: hex('03') } })),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'Teredo on another port, followed by shape (teredo-any)',
    linktype: 1,
    frame: u(40001, 50000, teredo(v6, { origin: true })),
    expect: ok6({ tunnels: 1 }),
    options: { teredoAnyPort: true },
    tshark: ['--enable-heuristic', 'teredo_udp'],
  },
  {
    name: 'Teredo on another port, not followed by default',
    linktype: 1,
    frame: u(40001, 50000, teredo(v6)),
    expect: { reason: 'non_tcp' },
  },
  {
    name: 'UDP that only starts like IPv6 is no Teredo, even with teredo-any',
    linktype: 1,
    frame: u(40001, 50000, cat(v6.subarray(0, 40), hex('00 00 00 00'))),
    expect: { reason: 'non_tcp' },
    options: { teredoAnyPort: true },
    tshark: ['--enable-heuristic', 'teredo_udp'],
  },
  {
    name: 'L2TPv2, PPP, IPv4',
    linktype: 1,
    frame: u(1701, 1701, l2tpv2(pppFrame(v4))),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'L2TPv2 with length, sequence and offset, PPP, IPv6',
    linktype: 1,
    frame: u(1701, 1701, l2tpv2(pppFrame(v6), { length: true, seq: true, offset: 2 })),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'L2TPv2 control message',
    linktype: 1,
    frame: u(1701, 1701, l2tpv2Control()),
    expect: { reason: 'non_tcp' },
  },
  {
    name: 'L2TPv3 over IP, Ethernet behind a 4-byte cookie',
    linktype: 1,
    ...l2tpv3Case(
      true,
      { ip: true, sa: 0x1111, sb: 0x2222, pwType: 5, cookieB: cookie4 },
      l2tpv3Ip(0x2222, e4, cookie4),
    ),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'L2TPv3 over IP, PPP behind an 8-byte cookie and the default sublayer',
    linktype: 1,
    ...l2tpv3Case(
      true,
      { ip: true, sa: 0x1111, sb: 0x2222, pwType: 7, cookieB: cookie8, sublayer: true },
      l2tpv3Ip(0x2222, cat(hex('40 00 00 01'), pppFrame(v6)), cookie8),
    ),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'L2TPv3 over UDP, Ethernet',
    linktype: 1,
    ...l2tpv3Case(false, { ip: false, sa: 0x1111, sb: 0x2222, pwType: 5 }, l2tpv3Udp(0x2222, e6)),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: 'L2TPv3 over IP, control message',
    linktype: 1,
    frame: l2tpv3Setup({ ip: true, sa: 1, sb: 2, pwType: 5 }).fromA.map((m) => overIp(A, B, 115, m))[0],
    expect: { reason: 'non_tcp' },
  },
  {
    name: 'MPLS over UDP',
    linktype: 1,
    frame: u(49152, 6635, mpls([16, 17], v4)),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'MPLS over GRE',
    linktype: 1,
    frame: eth(0x0800, outer(47, gre(0x8847, mpls([16], v6)))),
    expect: ok6({ tunnels: 1 }),
  },
  {
    name: '802.1ah (PBB) under a B-TAG',
    linktype: 1,
    frame: ethTagged([[0x88a8, 100]], 0x88e7, itag(0x123456, e4)),
    expect: ok4({ vlan: 100, tunnels: 1 }),
  },
  {
    name: '802.1ah (PBB), customer frame with a VLAN tag',
    linktype: 1,
    frame: eth(0x88e7, itag(0x123456, ethTagged([[0x8100, 5]], 0x86dd, v6))),
    expect: ok6({ vlan: 5, tunnels: 1 }),
  },
  {
    name: 'Cisco FabricPath',
    linktype: 1,
    frame: fabricPath(e4),
    expect: ok4({ tunnels: 1 }),
  },
  {
    name: 'Cisco FabricPath, inner VLAN tag',
    linktype: 1,
    frame: fabricPath(ethTagged([[0x8100, 5]], 0x86dd, v6)),
    expect: ok6({ vlan: 5, tunnels: 1 }),
  },
  {
    name: '802.1ah (PBB) nested five deep',
    linktype: 1,
    frame: [1, 2, 3, 4, 5].reduce((f) => eth(0x88e7, itag(1, f)), e4),
    expect: { reason: 'encap_too_deep' },
  },
  {
    name: 'IPv6 outer header, VXLAN-GPE',
    linktype: 1,
    frame: eth(
      0x86dd,
      ipv6({ src: '2001:db8:ffff::1', dst: '2001:db8:ffff::2', next: 17 }, udp(1, 4790, vxlanGpe(GPE.IPV4, 1, v4))),
    ),
    expect: ok4({ tunnels: 1 }),
  },
];
