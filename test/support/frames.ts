// Builds frames and capture files byte by byte for tests and benchmarks: Ethernet, VLAN, MPLS,
// IPv4/IPv6 (with options / extension headers), TCP, UDP, VXLAN, GENEVE, GRE/ERSPAN, GTP-U,
// Linux cooked, null/loop, PPP; classic pcap and pcapng writers. Written from the RFCs, not
// from the decoder, and checked against tshark in the golden tests.

import { parseIp } from '../../schemas/ip.js';

export type Bytes = Uint8Array;

export function cat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function be16(n: number): Bytes {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

export function be32(n: number): Bytes {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function le16(n: number): Bytes {
  return Uint8Array.of(n & 0xff, (n >> 8) & 0xff);
}

function le32(n: number): Bytes {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

export function ip(text: string): Bytes {
  const b = parseIp(text);
  if (!b) throw new Error(`bad address ${text}`);
  return b;
}

export function hex(s: string): Bytes {
  const clean = s.replace(/[^0-9a-f]/gi, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (x) => parseInt(x, 16));
}

export function toHex(b: Bytes): string {
  return Buffer.from(b).toString('hex');
}

// ---- TCP / UDP ----

export const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

export interface TcpOpts {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  mss?: number;
  payload?: Bytes;
}

export function tcp(o: TcpOpts): Bytes {
  const opts =
    o.mss !== undefined ? cat(Uint8Array.of(2, 4), be16(o.mss), Uint8Array.of(1, 1, 4, 2)) : new Uint8Array(0);
  const hlen = 20 + opts.length;
  return cat(
    be16(o.sport),
    be16(o.dport),
    be32(o.seq),
    be32(o.ack ?? 0),
    Uint8Array.of((hlen / 4) << 4, o.flags),
    be16(o.window ?? 64240),
    be16(0),
    be16(0),
    opts,
    o.payload ?? new Uint8Array(0),
  );
}

export function udp(sport: number, dport: number, payload: Bytes): Bytes {
  return cat(be16(sport), be16(dport), be16(8 + payload.length), be16(0), payload);
}

// ---- IP ----

export interface Ip4Opts {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  fragOffset?: number; // in 8-byte units
  moreFragments?: boolean;
  options?: Bytes; // multiple of 4 bytes
}

export function ipv4(o: Ip4Opts, payload: Bytes): Bytes {
  const opts = o.options ?? new Uint8Array(0);
  const hlen = 20 + opts.length;
  const h = cat(
    Uint8Array.of(0x40 | (hlen / 4), 0),
    be16(hlen + payload.length),
    be16(o.id ?? 1),
    be16(((o.moreFragments ? 1 : 0) << 13) | (o.fragOffset ?? 0)),
    Uint8Array.of(o.ttl ?? 64, o.proto),
    be16(0),
    ip(o.src),
    ip(o.dst),
    opts,
  );
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += (h[i] << 8) | h[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  h.set(be16(~sum & 0xffff), 10);
  return cat(h, payload);
}

export interface Ip6Opts {
  src: string;
  dst: string;
  next: number;
  hlim?: number;
  /** extension headers in order: [type, body] with body sized so the header is a multiple of 8 */
  ext?: Array<[number, Bytes]>;
}

export function ipv6(o: Ip6Opts, payload: Bytes): Bytes {
  const exts = o.ext ?? [];
  const parts: Bytes[] = [];
  for (let i = 0; i < exts.length; i++) {
    const next = i + 1 < exts.length ? exts[i + 1][0] : o.next;
    const [type, body] = exts[i];
    if (type === 44)
      parts.push(cat(Uint8Array.of(next, 0), body)); // fragment: fixed 8 bytes
    else parts.push(cat(Uint8Array.of(next, (body.length + 2) / 8 - 1), body));
  }
  const ext = cat(...parts);
  const first = exts.length ? exts[0][0] : o.next;
  return cat(
    Uint8Array.of(0x60, 0, 0, 0),
    be16(ext.length + payload.length),
    Uint8Array.of(first, o.hlim ?? 64),
    ip(o.src),
    ip(o.dst),
    ext,
    payload,
  );
}

/** An IP packet for either family, chosen by the source address. */
export function ipPacket(src: string, dst: string, proto: number, payload: Bytes, ttl = 64): Bytes {
  return src.includes(':')
    ? ipv6({ src, dst, next: proto, hlim: ttl }, payload)
    : ipv4({ src, dst, proto, ttl }, payload);
}

export function etherTypeOf(ipPkt: Bytes): number {
  return ipPkt[0] >> 4 === 6 ? 0x86dd : 0x0800;
}

// ---- link layers ----

const MAC_A = hex('02 00 00 00 00 0a');
const MAC_B = hex('02 00 00 00 00 0b');

export function eth(type: number, payload: Bytes, dst = MAC_B, src = MAC_A): Bytes {
  return cat(dst, src, be16(type), payload);
}

/** Ethernet with a stack of tags: [tpid, vlan id] outermost first. */
export function ethTagged(tags: Array<[number, number]>, type: number, payload: Bytes): Bytes {
  const parts: Bytes[] = [MAC_B, MAC_A];
  for (const [tpid, id] of tags) parts.push(be16(tpid), be16(id & 0xfff));
  parts.push(be16(type), payload);
  return cat(...parts);
}

export function mpls(labels: number[], payload: Bytes): Bytes {
  return cat(...labels.map((l, i) => be32(((l << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64) >>> 0)), payload);
}

export function sll(type: number, payload: Bytes): Bytes {
  return cat(be16(0), be16(1), be16(6), MAC_A, be16(0), be16(type), payload);
}

export function sll2(type: number, payload: Bytes): Bytes {
  return cat(be16(type), be16(0), be32(2), be16(1), Uint8Array.of(0, 6), MAC_A, be16(0), payload);
}

export function nullLink(family: number, payload: Bytes, networkOrder = false): Bytes {
  return cat(networkOrder ? be32(family) : le32(family), payload);
}

export function ppp(ipPkt: Bytes): Bytes {
  return cat(Uint8Array.of(0xff, 0x03), be16(ipPkt[0] >> 4 === 6 ? 0x57 : 0x21), ipPkt);
}

export function pppoe(ipPkt: Bytes): Bytes {
  const body = cat(be16(ipPkt[0] >> 4 === 6 ? 0x57 : 0x21), ipPkt);
  return cat(Uint8Array.of(0x11, 0), be16(0x1234), be16(body.length), body);
}

/** Linux NFLOG: family, version, resource id, then TLVs (little-endian): a prefix and the packet. */
export function nflog(ipPkt: Bytes): Bytes {
  const tlv = (type: number, v: Bytes): Bytes => {
    const len = 4 + v.length;
    return cat(le16(len), le16(type), v, new Uint8Array((4 - (len % 4)) % 4));
  };
  const family = ipPkt[0] >> 4 === 6 ? 10 : 2;
  return cat(Uint8Array.of(family, 0, 0, 0), tlv(10, new TextEncoder().encode('porthole\0')), tlv(9, ipPkt));
}

/** Cisco HDLC: address 0x0f (unicast), control 0, then the EtherType. */
export function cHdlc(ipPkt: Bytes): Bytes {
  return cat(Uint8Array.of(0x0f, 0x00), be16(etherTypeOf(ipPkt)), ipPkt);
}

// ---- tunnels ----

export function vxlan(vni: number, frame: Bytes): Bytes {
  return cat(Uint8Array.of(0x08, 0, 0, 0), be32((vni << 8) >>> 0), frame);
}

export function geneve(proto: number, frame: Bytes, optWords = 0): Bytes {
  const opts = new Uint8Array(optWords * 4);
  if (optWords) opts.set([0x01, 0x02, 0x03, optWords - 1]); // one option filling the space
  return cat(Uint8Array.of(optWords & 0x3f, 0), be16(proto), be32(0x00123400), opts, frame);
}

export function gre(proto: number, payload: Bytes, o: { key?: number; seq?: number; checksum?: boolean } = {}): Bytes {
  const flags = (o.checksum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0);
  return cat(
    be16(flags),
    be16(proto),
    o.checksum ? be32(0) : new Uint8Array(0),
    o.key !== undefined ? be32(o.key) : new Uint8Array(0),
    o.seq !== undefined ? be32(o.seq) : new Uint8Array(0),
    payload,
  );
}

export function erspan2(session: number, frame: Bytes): Bytes {
  return cat(be16(0x1000 | 0), be16(session & 0x3ff), be32(0), frame);
}

export function erspan3(session: number, frame: Bytes, subheader = false): Bytes {
  return cat(
    be16(0x2000),
    be16(session & 0x3ff),
    be32(0x01020304),
    be16(0),
    Uint8Array.of(0, subheader ? 1 : 0),
    subheader ? new Uint8Array(8) : new Uint8Array(0),
    frame,
  );
}

export function gtpu(teid: number, ipPkt: Bytes): Bytes {
  return cat(Uint8Array.of(0x30, 0xff), be16(ipPkt.length), be32(teid), ipPkt);
}

// ---- capture files ----

export interface Rec {
  ts: number; // ms
  data: Bytes;
  caplen?: number;
  iface?: number;
}

export function pcapFile(
  recs: Rec[],
  o: { linktype: number; nsec?: boolean; bigEndian?: boolean; snaplen?: number },
): Buffer {
  const w16 = o.bigEndian ? be16 : le16;
  const w32 = o.bigEndian ? be32 : le32;
  const parts: Bytes[] = [
    w32(o.nsec ? 0xa1b23c4d : 0xa1b2c3d4),
    w16(2),
    w16(4),
    w32(0),
    w32(0),
    w32(o.snaplen ?? 262144),
    w32(o.linktype),
  ];
  for (const r of recs) {
    const cap = Math.min(r.caplen ?? r.data.length, o.snaplen ?? Infinity, r.data.length);
    const sec = Math.floor(r.ts / 1000);
    const frac = Math.round((r.ts - sec * 1000) * (o.nsec ? 1e6 : 1e3));
    parts.push(w32(sec), w32(frac), w32(cap), w32(r.data.length), r.data.subarray(0, cap));
  }
  return Buffer.from(cat(...parts));
}

function pad4(b: Bytes): Bytes {
  return b.length % 4 ? cat(b, new Uint8Array(4 - (b.length % 4))) : b;
}

function block(type: number, body: Bytes, w32: (n: number) => Bytes): Bytes {
  const b = pad4(body);
  return cat(w32(type), w32(b.length + 12), b, w32(b.length + 12));
}

export interface NgIface {
  linktype: number;
  tsresol?: number; // if_tsresol byte; default 6 (microseconds)
  snaplen?: number;
}

/** pcapng: one section, the given interfaces, and packets as EPBs (or SPBs with `simple`). */
export function pcapngFile(
  ifaces: NgIface[],
  recs: Array<Rec & { simple?: boolean }>,
  o: { bigEndian?: boolean } = {},
): Buffer {
  const w16 = o.bigEndian ? be16 : le16;
  const w32 = o.bigEndian ? be32 : le32;
  const parts: Bytes[] = [
    block(0x0a0d0d0a, cat(w32(0x1a2b3c4d), w16(1), w16(0), be32(0xffffffff), be32(0xffffffff)), w32),
  ];
  for (const i of ifaces) {
    const opts =
      i.tsresol !== undefined ? cat(w16(9), w16(1), Uint8Array.of(i.tsresol, 0, 0, 0), w32(0)) : new Uint8Array(0);
    parts.push(block(1, cat(w16(i.linktype), w16(0), w32(i.snaplen ?? 0), opts), w32));
  }
  // a name resolution block: not a packet, must be skipped
  parts.push(block(4, cat(w16(0), w16(0)), w32));
  for (const r of recs) {
    const ifc = ifaces[r.iface ?? 0];
    const cap = Math.min(r.caplen ?? r.data.length, r.data.length);
    if (r.simple) {
      parts.push(block(3, cat(w32(r.data.length), r.data.subarray(0, cap)), w32));
      continue;
    }
    const res = ifc.tsresol ?? 6;
    const units = BigInt(Math.round((r.ts * (res & 0x80 ? 2 ** (res & 0x7f) : 10 ** res)) / 1000));
    const hi = Number(units >> 32n);
    const lo = Number(units & 0xffffffffn);
    parts.push(
      block(6, cat(w32(r.iface ?? 0), w32(hi), w32(lo), w32(cap), w32(r.data.length), r.data.subarray(0, cap)), w32),
    );
  }
  // an interface statistics block at the end, also skipped
  parts.push(block(5, cat(w32(0), w32(0), w32(0)), w32));
  return Buffer.from(cat(...parts));
}
