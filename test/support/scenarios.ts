// Generated golden captures: each one a capture file exercising a link type, an encapsulation
// or a tracking case (one-sided mirror, SPAN duplicates, scans, short snaplen, cut files).
// Deterministic. The expected answer is never written here: the golden test asks tshark.

import {
  type Bytes,
  erspan2,
  erspan3,
  eth,
  etherTypeOf,
  ethTagged,
  F,
  geneve,
  gre,
  gtpu,
  ipPacket,
  ipv4,
  ipv6,
  mpls,
  nullLink,
  pcapFile,
  pcapngFile,
  ppp,
  pppoe,
  type Rec,
  sll,
  sll2,
  tcp,
  udp,
  vxlan,
  hex,
} from './frames.js';
import type { Encapsulation } from '../../sensor/decode/encapsulations.js';

export interface Seg {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  mss?: number;
  payload?: Bytes;
  ts: number;
}

export type Kind = 'open' | 'closed' | 'silent' | 'scan-open' | 'open-no-ack';

let isn = 1000;
function nextIsn(): number {
  isn = (Math.imul(isn, 1103515245) + 12345) >>> 0;
  return isn;
}

/** The TCP segments of one connection attempt, client `c` to server `s`. */
export function conversation(c: string, s: string, cport: number, sport: number, t: number, kind: Kind): Seg[] {
  const ci = nextIsn();
  const si = nextIsn();
  const seg = (
    src: string,
    dst: string,
    sp: number,
    dp: number,
    seq: number,
    ack: number,
    flags: number,
    dt: number,
    extra: Partial<Seg> = {},
  ): Seg => ({ src, dst, sport: sp, dport: dp, seq: seq >>> 0, ack: ack >>> 0, flags, ts: t + dt, ...extra });
  const syn = seg(c, s, cport, sport, ci, 0, F.SYN, 0, { mss: 1460 });
  switch (kind) {
    case 'closed':
      return [syn, seg(s, c, sport, cport, 0, ci + 1, F.RST | F.ACK, 0.2)];
    case 'silent':
      return [syn, { ...syn, ts: t + 1000 }];
    case 'scan-open':
      return [
        syn,
        seg(s, c, sport, cport, si, ci + 1, F.SYN | F.ACK, 0.2, { mss: 1400 }),
        seg(c, s, cport, sport, ci + 1, 0, F.RST, 0.3),
      ];
    case 'open-no-ack':
      return [syn, seg(s, c, sport, cport, si, ci + 1, F.SYN | F.ACK, 0.2, { mss: 1400 })];
    case 'open':
      return [
        syn,
        seg(s, c, sport, cport, si, ci + 1, F.SYN | F.ACK, 0.2, { mss: 1400 }),
        seg(c, s, cport, sport, ci + 1, si + 1, F.ACK, 0.4),
        seg(c, s, cport, sport, ci + 1, si + 1, F.PSH | F.ACK, 0.5, {
          payload: new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'),
        }),
        seg(s, c, sport, cport, si + 1, ci + 19, F.PSH | F.ACK, 0.9, { payload: new Uint8Array(100).fill(0x41) }),
        seg(c, s, cport, sport, ci + 19, si + 101, F.FIN | F.ACK, 1.0),
      ];
  }
}

export function ipOf(sg: Seg, ttl = 64): Bytes {
  const t = tcp({
    sport: sg.sport,
    dport: sg.dport,
    seq: sg.seq,
    ack: sg.ack,
    flags: sg.flags,
    mss: sg.mss,
    payload: sg.payload,
  });
  return ipPacket(sg.src, sg.dst, 6, t, ttl);
}

export const T0 = 1_767_225_600_000; // 2026-01-01

/** A small mixed set of connections over IPv4 and IPv6. */
export function baseTraffic(t0 = T0): Seg[] {
  const segs: Seg[] = [];
  let t = t0;
  const add = (c: string, s: string, cp: number, sp: number, k: Kind): void => {
    segs.push(...conversation(c, s, cp, sp, t, k));
    t += 7;
  };
  add('198.51.100.7', '192.0.2.10', 40001, 80, 'open');
  add('198.51.100.8', '192.0.2.10', 40002, 80, 'open');
  add('198.51.100.7', '192.0.2.10', 40003, 443, 'open');
  add('198.51.100.7', '192.0.2.11', 40004, 22, 'open-no-ack');
  add('198.51.100.9', '192.0.2.12', 40005, 3306, 'closed');
  add('198.51.100.9', '192.0.2.12', 40006, 6379, 'silent');
  add('2001:db8:1::7', '2001:db8:2::10', 50001, 443, 'open');
  add('2001:db8:1::8', '2001:db8:2::10', 50002, 443, 'open');
  add('2001:db8:1::7', '2001:db8:2::11', 50003, 8080, 'closed');
  add('2001:db8:1::7', '2001:db8:2::12', 50004, 25, 'scan-open');
  return segs.sort((a, b) => a.ts - b.ts);
}

/**
 * A mirror that loses handshake packets: 60 connections 100 ms apart (so that half of them start
 * after the tracker's warm-up, tracker.ts LOSS_WARMUP_MS), open or SYN-scanned, over IPv4 and
 * IPv6; every 7th loses its SYN+ACK and every 5th from the 30th on its SYN. `missedSynAck` and
 * `missedSyn` say how many were dropped, `checked` how many handshakes the tracker can check.
 */
export function lossyTraffic(t0 = T0): { segs: Seg[]; missedSyn: number; missedSynAck: number; checked: number } {
  const segs: Seg[] = [];
  let missedSyn = 0;
  let missedSynAck = 0;
  for (let i = 0; i < 60; i++) {
    const v6 = i % 3 === 0;
    const c = v6 ? `2001:db8:1::${i + 1}` : `198.51.100.${i + 1}`;
    const s = v6 ? '2001:db8:2::20' : `192.0.2.${20 + (i % 4)}`;
    const conv = conversation(c, s, 30000 + i, [22, 80, 443][i % 3], t0 + i * 100, i % 4 === 1 ? 'scan-open' : 'open');
    const dropSynAck = i % 7 === 3;
    const dropSyn = !dropSynAck && i >= 30 && i % 5 === 2;
    if (dropSynAck) missedSynAck++;
    if (dropSyn) missedSyn++;
    segs.push(...conv.filter((g) => !(dropSynAck && g.flags === (F.SYN | F.ACK)) && !(dropSyn && g.flags === F.SYN)));
  }
  return { segs: segs.sort((a, b) => a.ts - b.ts), missedSyn, missedSynAck, checked: 60 };
}

export interface Scenario {
  name: string;
  file: Buffer;
  /** options `porthole replay` needs for it (--teredo-any) */
  replay?: string[];
  /** options tshark needs to read it as built (a heuristic enabled, a preference) */
  tshark?: string[];
  /** encapsulations the live filter must enable for it, beyond the common tunnels */
  encapsulations?: Encapsulation[];
  /** a link type live capture never opens (802.11, ARCnet, PPP): not run through the kernel filter */
  fileOnly?: boolean;
}

export type Wrap = (ipPkt: Bytes, seg: Seg, index: number) => Bytes;

export const ethWrap = (p: Bytes): Bytes => eth(etherTypeOf(p), p);
export const outer4 = (proto: number, payload: Bytes): Bytes =>
  ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto }, payload);

export function recs(segs: Seg[], wrap: Wrap): Rec[] {
  return segs.map((s, i) => ({ ts: s.ts, data: wrap(ipOf(s), s, i) }));
}

export function pcapOf(
  segs: Seg[],
  wrap: Wrap,
  linktype = 1,
  extra: Parameters<typeof pcapFile>[1] = { linktype },
): Buffer {
  return pcapFile(recs(segs, wrap), { ...extra, linktype });
}

export function scenarios(): Scenario[] {
  const base = baseTraffic();
  const out: Scenario[] = [];
  const add = (name: string, file: Buffer): void => {
    out.push({ name, file });
  };

  add('ethernet-usec-le.pcap', pcapOf(base, ethWrap));
  add('ethernet-nsec-be.pcap', pcapOf(base, ethWrap, 1, { linktype: 1, nsec: true, bigEndian: true }));
  add(
    'vlan-8021q.pcap',
    pcapOf(base, (p) => ethTagged([[0x8100, 42]], etherTypeOf(p), p)),
  );
  add(
    'vlan-qinq.pcap',
    pcapOf(base, (p) =>
      ethTagged(
        [
          [0x88a8, 100],
          [0x8100, 42],
        ],
        etherTypeOf(p),
        p,
      ),
    ),
  );
  add(
    'vlan-qinq-9100.pcap',
    pcapOf(base, (p) =>
      ethTagged(
        [
          [0x9100, 7],
          [0x8100, 43],
        ],
        etherTypeOf(p),
        p,
      ),
    ),
  );
  add(
    'mpls-stack.pcap',
    pcapOf(base, (p) => eth(0x8847, mpls([16, 17, 18], p))),
  );
  add(
    'pppoe.pcap',
    pcapOf(base, (p) => eth(0x8864, pppoe(p))),
  );
  add(
    'linux-sll.pcap',
    pcapOf(base, (p) => sll(etherTypeOf(p), p), 113),
  );
  add(
    'linux-sll2.pcap',
    pcapOf(base, (p) => sll2(etherTypeOf(p), p), 276),
  );
  add(
    'raw-ip.pcap',
    pcapOf(base, (p) => p, 101),
  );
  add(
    'bsd-null.pcap',
    pcapOf(base, (p) => nullLink(p[0] >> 4 === 6 ? 24 : 2, p), 0),
  );
  add(
    'bsd-loop.pcap',
    pcapOf(base, (p) => nullLink(p[0] >> 4 === 6 ? 24 : 2, p, true), 108),
  );
  add(
    'ppp.pcap',
    pcapOf(base, (p) => ppp(p), 9),
  );
  add(
    'vxlan.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(17, udp(49152, 4789, vxlan(5001, ethWrap(p)))))),
  );
  add(
    'vxlan-vlan-inner.pcap',
    pcapOf(base, (p) =>
      eth(0x0800, outer4(17, udp(49152, 4789, vxlan(7, ethTagged([[0x8100, 300]], etherTypeOf(p), p))))),
    ),
  );
  add(
    'geneve.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(17, udp(49153, 6081, geneve(0x6558, ethWrap(p), 2))))),
  );
  add(
    'gre-ip.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(47, gre(etherTypeOf(p), p, { key: 9 })))),
  );
  add(
    'gre-teb.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(47, gre(0x6558, ethWrap(p))))),
  );
  add(
    'erspan-ii.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(47, gre(0x88be, erspan2(12, ethWrap(p)), { seq: 1 })))),
  );
  add(
    'erspan-iii.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(47, gre(0x22eb, erspan3(12, ethWrap(p)), { seq: 1 })))),
  );
  add(
    'erspan-iii-subheader.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(47, gre(0x22eb, erspan3(12, ethWrap(p), true), { seq: 1 })))),
  );
  add(
    'ip-in-ip.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(p[0] >> 4 === 6 ? 41 : 4, p))),
  );
  add(
    'ipv6-outer-vxlan.pcap',
    pcapOf(base, (p) =>
      eth(
        0x86dd,
        ipv6({ src: '2001:db8:ffff::1', dst: '2001:db8:ffff::2', next: 17 }, udp(49152, 4789, vxlan(1, ethWrap(p)))),
      ),
    ),
  );
  add(
    'gtpu.pcap',
    pcapOf(base, (p) => eth(0x0800, outer4(17, udp(2152, 2152, gtpu(77, p))))),
  );

  // IPv4 options and IPv6 extension headers (hop-by-hop, destination options, atomic fragment)
  add(
    'ip-options-ext-headers.pcap',
    pcapFile(
      base.map((s) => {
        const t = tcp({
          sport: s.sport,
          dport: s.dport,
          seq: s.seq,
          ack: s.ack,
          flags: s.flags,
          mss: s.mss,
          payload: s.payload,
        });
        const p = s.src.includes(':')
          ? ipv6(
              {
                src: s.src,
                dst: s.dst,
                next: 6,
                ext: [
                  [0, hex('01 04 00 00 00 00')],
                  [60, hex('01 04 00 00 00 00')],
                  [44, hex('00 00 12 34 56 78')],
                ],
              },
              t,
            )
          : ipv4({ src: s.src, dst: s.dst, proto: 6, options: hex('01 01 01 00') }, t);
        return { ts: s.ts, data: ethWrap(p) };
      }),
      { linktype: 1 },
    ),
  );

  // SPAN: every frame seen twice, and one SYN+ACK retransmitted by the server
  const dup: Rec[] = [];
  for (const r of recs(base, ethWrap)) dup.push(r, { ts: r.ts + 0.01, data: r.data });
  const synack = base.find((s) => s.flags === (F.SYN | F.ACK))!;
  dup.push({ ts: synack.ts + 1000, data: ethWrap(ipOf(synack)) });
  add(
    'span-duplicates.pcap',
    pcapFile(
      dup.sort((a, b) => a.ts - b.ts),
      { linktype: 1 },
    ),
  );

  // one-sided mirror: only what the servers send
  const servers = new Set(base.map((s) => s.dst));
  add(
    'one-sided.pcap',
    pcapOf(
      base.filter((s) => servers.has(s.src)),
      ethWrap,
    ),
  );

  // a SYN scan of 300 ports on two hosts: most closed (RST), a few open (SYN+ACK, client RST)
  const scan: Seg[] = [];
  for (const host of ['192.0.2.50', '2001:db8:2::50']) {
    for (let port = 1; port <= 300; port++) {
      const kind: Kind = [22, 80, 111].includes(port) ? 'scan-open' : 'closed';
      scan.push(
        ...conversation(host.includes(':') ? '2001:db8:1::66' : '198.51.100.66', host, 61000, port, T0 + port, kind),
      );
    }
  }
  add(
    'syn-scan.pcap',
    pcapOf(
      scan.sort((a, b) => a.ts - b.ts),
      ethWrap,
    ),
  );

  // a lossy mirror: SYN+ACKs and SYNs missing (the capture-loss estimate)
  add('lossy-mirror.pcap', pcapOf(lossyTraffic().segs, ethWrap));

  // header-only captures: snaplen 54 keeps Ethernet + IPv4 + 20 bytes of TCP
  add(
    'snaplen-54.pcap',
    pcapOf(
      base.filter((s) => !s.src.includes(':')),
      ethWrap,
      1,
      { linktype: 1, snaplen: 54 },
    ),
  );
  add('snaplen-74.pcap', pcapOf(base, ethWrap, 1, { linktype: 1, snaplen: 74 }));

  // a capture cut short in the middle of a record
  const whole = pcapOf(base, ethWrap);
  add('cut-short.pcap', whole.subarray(0, whole.length - 37));

  // pcapng: three interfaces with different link types and resolutions, a simple packet block,
  // non-packet blocks; little- and big-endian sections
  const ng = base.map((s, i) => {
    const p = ipOf(s);
    const iface = i % 3;
    const data = iface === 0 ? ethWrap(p) : iface === 1 ? p : sll(etherTypeOf(p), p);
    return { ts: s.ts, data, iface };
  });
  const ifaces = [{ linktype: 1 }, { linktype: 101, tsresol: 9 }, { linktype: 113, tsresol: 0x80 | 20 }];
  add('pcapng-multi-le.pcapng', pcapngFile(ifaces, ng));
  add('pcapng-multi-be.pcapng', pcapngFile(ifaces, ng, { bigEndian: true }));
  add(
    'pcapng-simple-blocks.pcapng',
    pcapngFile(
      [{ linktype: 1, snaplen: 65535 }],
      recs(base, ethWrap).map((r, i) => ({ ...r, simple: i % 2 === 1 })),
    ),
  );

  return out;
}
