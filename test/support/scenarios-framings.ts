// Generated golden captures for the framings of issue 18: the base traffic (scenarios.ts) carried
// over 802.11 (bare, radiotap, PPI, Prism, AVS), ARCnet, Cisco HDLC under the PPP link type,
// VXLAN-GPE (and NSH, and inside GRE/ERSPAN), CAPWAP, Teredo, L2TP v2/v3, MPLS over UDP and
// GRE, 802.1ah and FabricPath, and handshakes answered with RST among other flags. Deterministic.
// As for scenarios.ts, the expected answer is never written here: the golden test asks tshark.

import {
  type Bytes,
  cat,
  cHdlc,
  eth,
  ethTagged,
  etherTypeOf,
  F,
  gre,
  erspan2,
  hex,
  ipv4,
  mpls,
  pcapFile,
  type Rec,
  udp,
} from './frames.js';
import {
  arcnet,
  fabricPath,
  GPE,
  gpeProtoOf,
  itag,
  l2tpv2,
  l2tpv3Ip,
  l2tpv3Setup,
  l2tpv3Udp,
  nsh,
  pppFrame,
  teredo,
  vxlanGpe,
} from './frames-tunnels.js';
import {
  amsdu,
  avs,
  capwapData,
  llcSnap,
  ppi,
  prism,
  radiotap,
  swapFc,
  type WlanOpts,
  wlanData,
} from './frames-wireless.js';
import {
  baseTraffic,
  conversation,
  ethWrap,
  ipOf,
  type Kind,
  outer4,
  pcapOf,
  recs,
  type Scenario,
  type Seg,
  T0,
  type Wrap,
} from './scenarios.js';

const A = '203.0.113.1';
const B = '203.0.113.2';

/** Whether a segment travels from a server of the base traffic (towards its client). */
const fromServer = (s: Seg): boolean => s.src.startsWith('192.0.2.') || s.src.startsWith('2001:db8:2::');

const snap = (p: Bytes): Bytes => llcSnap(etherTypeOf(p), p);

/** 802.11 as a wireless client's traffic appears: to the AP, or from it; QoS, four addresses, A-MSDU now and then. */
const wlan =
  (extra: Partial<WlanOpts> = {}): Wrap =>
  (p, s, i) => {
    const o: WlanOpts = { dir: fromServer(s) ? 'ap' : 'sta', ...extra };
    if (i % 3 === 1) o.qos = true;
    if (i % 7 === 2) Object.assign(o, { dir: 'wds', qos: true, htc: true });
    if (i % 5 === 4) return wlanData(amsdu([snap(p)]), { ...o, qos: true, amsdu: true });
    return wlanData(snap(p), o);
  };

/** Frames that carry nothing readable, put among the others: protected data (a SYN+ACK inside), null functions. */
function withWlanNoise(rs: Rec[], wrap: (frame: Bytes) => Bytes): Rec[] {
  const base = baseTraffic();
  const synack = base.find((s) => s.flags === (F.SYN | F.ACK))!;
  const hidden = { ...synack, src: '192.0.2.99', sport: 8443 };
  const noise: Rec[] = [
    { ts: T0 + 1, data: wrap(wlanData(snap(ipOf(hidden)), { dir: 'ap', protected: true })) },
    { ts: T0 + 2, data: wrap(wlanData(new Uint8Array(0), { dir: 'sta', subtype: 4 })) },
  ];
  return [...rs, ...noise].sort((a, b) => a.ts - b.ts);
}

/** The base traffic on IPv6 only (Teredo carries nothing else). */
const v6Only = (segs: Seg[]): Seg[] => segs.filter((s) => s.src.includes(':'));

function l2tpv3Scenario(name: string, ip: boolean): Scenario {
  const cookieA = hex('01 02 03 04 05 06 07 08');
  const cookieB = hex('de ad be ef');
  const sa = 0x1111;
  const sb = 0x2222;
  const pwType = ip ? 5 : 7; // Ethernet over IP, PPP over UDP
  const setup = l2tpv3Setup(ip ? { ip, sa, sb, pwType, cookieA, cookieB } : { ip, sa, sb, pwType, sublayer: true });
  const carry = (src: string, dst: string, m: Bytes): Bytes =>
    eth(0x0800, ipv4({ src, dst, proto: ip ? 115 : 17 }, ip ? m : udp(1701, 1701, m)));
  const payload = (p: Bytes, i: number): Bytes =>
    ip ? ethWrap(p) : cat(hex('40'), hex('00 00'), Uint8Array.of(i & 0xff), pppFrame(p));
  const data: Wrap = (p, s, i) =>
    fromServer(s)
      ? carry(B, A, ip ? l2tpv3Ip(sa, payload(p, i), cookieA) : l2tpv3Udp(sa, payload(p, i)))
      : carry(A, B, ip ? l2tpv3Ip(sb, payload(p, i), cookieB) : l2tpv3Udp(sb, payload(p, i)));
  const prelude: Rec[] = [
    { ts: T0 - 40, data: carry(A, B, setup.fromA[0]) },
    { ts: T0 - 30, data: carry(B, A, setup.fromB[0]) },
    { ts: T0 - 20, data: carry(A, B, setup.fromA[1]) },
    { ts: T0 - 10, data: carry(B, A, setup.fromB[1]) },
  ];
  return {
    name,
    file: pcapFile([...prelude, ...recs(baseTraffic(), data)], { linktype: 1 }),
    encapsulations: ['l2tp'],
  };
}

/** Connections answered by a server with RST among other flags: SYN+ACK+RST, SYN+RST, and ordinary ones. */
function rstFlagsTraffic(): Seg[] {
  const segs: Seg[] = [...baseTraffic()];
  const odd: Array<[string, string, number]> = [
    ['198.51.100.30', '192.0.2.30', F.SYN | F.ACK | F.RST],
    ['198.51.100.31', '192.0.2.31', F.SYN | F.RST],
    ['2001:db8:1::30', '2001:db8:2::30', F.SYN | F.ACK | F.RST | F.PSH],
  ];
  odd.forEach(([c, s, flags], i) => {
    const kind: Kind = 'open-no-ack';
    const [syn, answer] = conversation(c, s, 45000 + i, 9000 + i, T0 + 200 + i * 5, kind);
    segs.push(syn, { ...answer, flags });
  });
  return segs.sort((a, b) => a.ts - b.ts);
}

export function framingScenarios(): Scenario[] {
  const base = baseTraffic();
  const out: Scenario[] = [];
  const add = (s: Scenario): void => {
    out.push(s);
  };
  const u = (sport: number, dport: number, payload: Bytes): Bytes =>
    eth(0x0800, outer4(17, udp(sport, dport, payload)));

  // 802.11 and the headers in front of it (file formats only: live capture opens Ethernet-like links)
  add({
    name: 'wlan-80211.pcap',
    file: pcapFile(
      withWlanNoise(recs(base, wlan()), (f) => f),
      { linktype: 105 },
    ),
    fileOnly: true,
  });
  add({
    name: 'wlan-radiotap.pcap',
    file: pcapFile(
      withWlanNoise(
        recs(base, (p, s, i) =>
          radiotap(wlan({ pad: i % 2 === 0 })(p, s, i), {
            tsft: i % 2 === 0,
            dataPad: i % 2 === 0,
            extended: i % 4 === 0,
          }),
        ),
        (f) => radiotap(f),
      ),
      { linktype: 127 },
    ),
    fileOnly: true,
  });
  add({ name: 'wlan-ppi.pcap', file: pcapOf(base, (p, s, i) => ppi(wlan()(p, s, i)), 192), fileOnly: true });
  add({ name: 'wlan-prism.pcap', file: pcapOf(base, (p, s, i) => prism(wlan()(p, s, i)), 119), fileOnly: true });
  add({ name: 'wlan-avs.pcap', file: pcapOf(base, (p, s, i) => avs(wlan()(p, s, i)), 163), fileOnly: true });

  // ARCnet, Cisco HDLC written under the PPP link type
  add({
    name: 'arcnet-bsd.pcap',
    file: pcapOf(base, (p, _s, i) => arcnet(p, { rfc1051: i % 3 === 1, exception: i % 3 === 2 }), 7),
    fileOnly: true,
  });
  add({ name: 'arcnet-linux.pcap', file: pcapOf(base, (p) => arcnet(p, { linux: true }), 129), fileOnly: true });
  add({
    name: 'chdlc-as-ppp.pcap',
    file: pcapOf(base, (p, _s, i) => cat(Uint8Array.of(i % 2 ? 0x8f : 0x0f), cHdlc(p).subarray(1)), 9),
    fileOnly: true,
  });

  // VXLAN-GPE by each next protocol, and the GRE -> ERSPAN -> VXLAN-GPE
  const gpe: Wrap = (p, _s, i) => {
    switch (i % 5) {
      case 0:
        return vxlanGpe(gpeProtoOf(p), 7, p);
      case 1:
        return vxlanGpe(GPE.ETHERNET, 7, ethWrap(p));
      case 2:
        return vxlanGpe(GPE.NSH, 7, nsh(gpeProtoOf(p), p));
      case 3:
        return vxlanGpe(GPE.NSH, 7, nsh(GPE.ETHERNET, ethWrap(p), { mdType: 2, tlvWords: 2 }));
      default:
        return vxlanGpe(GPE.MPLS, 7, mpls([100], p));
    }
  };
  add({
    name: 'vxlan-gpe.pcap',
    file: pcapOf(base, (p, s, i) => u(49152 + (i % 7), 4790, gpe(p, s, i))),
    encapsulations: ['vxlan-gpe'],
  });
  add({
    name: 'gre-erspan-vxlan-gpe.pcap',
    file: pcapOf(base, (p, s, i) =>
      eth(0x0800, outer4(47, gre(0x88be, erspan2(3, u(49152, 4790, gpe(p, s, i))), { seq: i }))),
    ),
  });

  // CAPWAP data: 802.11 with Cisco's swapped Frame Control (tshark's default), in standard order, and 802.3
  const capwapWlan =
    (swap: boolean): Wrap =>
    (p, s, i) => {
      const f = wlan()(p, s, i);
      const payload = capwapData(swap ? swapFc(f) : f, {
        kind: 'wlan',
        radioMac: i % 2 === 0,
        wirelessInfo: i % 3 === 0,
      });
      return fromServer(s) ? u(5247, 50000, payload) : u(50000, 5247, payload);
    };
  add({ name: 'capwap-80211.pcap', file: pcapOf(base, capwapWlan(true)), encapsulations: ['capwap'] });
  add({
    name: 'capwap-80211-standard-fc.pcap',
    file: pcapOf(base, capwapWlan(false)),
    tshark: ['-o', 'capwap.swap_fc:FALSE'],
    encapsulations: ['capwap'],
  });
  add({
    name: 'capwap-8023.pcap',
    file: pcapOf(base, (p, s) => {
      const payload = capwapData(ethWrap(p), { kind: '802.3' });
      return fromServer(s) ? u(5247, 50000, payload) : u(50000, 5247, payload);
    }),
    encapsulations: ['capwap'],
  });

  // Teredo: on 3544, and between two other ports (followed only with --teredo-any)
  const v6 = v6Only(base);
  add({
    name: 'teredo-3544.pcap',
    file: pcapOf(v6, (p, s, i) =>
      fromServer(s) ? u(3544, 51000, teredo(p, { origin: i % 2 === 0 })) : u(51000, 3544, teredo(p)),
    ),
    encapsulations: ['teredo'],
  });
  add({
    name: 'teredo-any-port.pcap',
    file: pcapOf(v6, (p, s, i) =>
      fromServer(s) ? u(47123, 41123, teredo(p, { origin: i % 2 === 0 })) : u(41123, 47123, teredo(p)),
    ),
    replay: ['--teredo-any'],
    tshark: ['--enable-heuristic', 'teredo_udp'],
    encapsulations: ['teredo-any'],
  });

  // L2TP: version 2 with PPP, version 3 over IP (Ethernet, cookies) and over UDP (PPP, sublayer)
  add({
    name: 'l2tpv2.pcap',
    file: pcapOf(base, (p, _s, i) => u(1701, 1701, l2tpv2(pppFrame(p), { length: i % 2 === 0, seq: i % 3 === 0 }))),
    encapsulations: ['l2tp'],
  });
  add(l2tpv3Scenario('l2tpv3-ip.pcap', true));
  add(l2tpv3Scenario('l2tpv3-udp.pcap', false));

  // MPLS over UDP and over GRE; MAC-in-MAC
  add({
    name: 'mpls-udp.pcap',
    file: pcapOf(base, (p, _s, i) => u(49152 + (i % 13), 6635, mpls([16, 17], p))),
    encapsulations: ['mpls-udp'],
  });
  add({ name: 'mpls-gre.pcap', file: pcapOf(base, (p) => eth(0x0800, outer4(47, gre(0x8847, mpls([24], p))))) });
  add({
    name: 'pbb.pcap',
    file: pcapOf(base, (p, _s, i) =>
      i % 2 === 0
        ? ethTagged([[0x88a8, 100]], 0x88e7, itag(0x10000 + i, ethWrap(p)))
        : eth(0x88e7, itag(0x10000 + i, ethTagged([[0x8100, 20]], etherTypeOf(p), p))),
    ),
    encapsulations: ['pbb'],
  });
  add({ name: 'fabricpath.pcap', file: pcapOf(base, (p) => fabricPath(ethWrap(p))), encapsulations: ['fabricpath'] });

  // the one rule for RST
  add({ name: 'rst-flags.pcap', file: pcapOf(rstFlagsTraffic(), ethWrap) });
  return out;
}
