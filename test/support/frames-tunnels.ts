// Builds the headers of the less common tunnels and tags byte by byte, for tests: VXLAN-GPE
// (draft-ietf-nvo3-vxlan-gpe), NSH (RFC 8300), Teredo (RFC 4380, with its origin indication and
// authentication headers), L2TP v2 (RFC 2661) and v3 (RFC 3931), 802.1ah I-TAG (PBB), Cisco
// FabricPath, ARCnet (RFC 1051/1201, BSD and Linux headers). Written from those documents, not
// from the decoder; checked against tshark by the fixtures and the golden tests.

import { type Bytes, be16, be32, cat, hex } from './frames.js';

export const GPE = { IPV4: 1, IPV6: 2, ETHERNET: 3, NSH: 4, MPLS: 5 } as const;

/** A VXLAN-GPE header: I and P flags set, the next protocol, the VNI. */
export function vxlanGpe(nextProto: number, vni: number, payload: Bytes): Bytes {
  return cat(Uint8Array.of(0x0c, 0, 0, nextProto), be32((vni << 8) >>> 0), payload);
}

/** The next-protocol number of a GPE/NSH payload that is an IP packet. */
export function gpeProtoOf(ipPkt: Bytes): number {
  return ipPkt[0] >> 4 === 6 ? GPE.IPV6 : GPE.IPV4;
}

/** An NSH header (RFC 8300): MD type 1 (16 bytes of context) or 2 (`tlvWords` words of TLVs). */
export function nsh(nextProto: number, payload: Bytes, o: { mdType?: 1 | 2; tlvWords?: number } = {}): Bytes {
  const md = o.mdType ?? 1;
  const ctx = md === 1 ? new Uint8Array(16) : new Uint8Array(4 * (o.tlvWords ?? 0));
  if (md === 2 && ctx.length) ctx.set([0x00, 0x01, 0x02, ctx.length / 4 - 1]); // class, type, length (words after it)
  const len = 2 + ctx.length / 4; // in 4-byte words
  const ttl = 63;
  return cat(
    Uint8Array.of(ttl >> 2, ((ttl & 3) << 6) | len, md, nextProto),
    be32(((42 << 8) | 255) >>> 0), // service path 42, index 255
    ctx,
    payload,
  );
}

/** Teredo (RFC 4380 5.1.1): an IPv6 packet, optionally after an authentication and an origin indication header. */
export function teredo(ipv6Pkt: Bytes, o: { origin?: boolean; auth?: { id: Bytes; value: Bytes } } = {}): Bytes {
  const parts: Bytes[] = [];
  if (o.auth) {
    parts.push(Uint8Array.of(0, 1, o.auth.id.length, o.auth.value.length), o.auth.id, o.auth.value);
    parts.push(hex('01 02 03 04 05 06 07 08'), Uint8Array.of(0)); // nonce, confirmation
  }
  if (o.origin) parts.push(hex('00 00'), be16(3544 ^ 0xffff), hex('3f 57 fe f5')); // obfuscated 192.168.1.10
  return cat(...parts, ipv6Pkt);
}

/** PPP in HDLC-like framing (address, control, protocol) around an IP packet. */
export function pppFrame(ipPkt: Bytes): Bytes {
  return cat(hex('ff 03'), be16(ipPkt[0] >> 4 === 6 ? 0x0057 : 0x0021), ipPkt);
}

/** An L2TPv2 data message (RFC 2661 3.1) with the given optional fields. */
export function l2tpv2(
  payload: Bytes,
  o: { length?: boolean; seq?: boolean; offset?: number; tunnel?: number; session?: number } = {},
): Bytes {
  const flags = (o.length ? 0x4000 : 0) | (o.seq ? 0x0800 : 0) | (o.offset !== undefined ? 0x0200 : 0) | 2;
  const rest = cat(
    be16(o.tunnel ?? 7),
    be16(o.session ?? 9),
    o.seq ? cat(be16(1), be16(2)) : new Uint8Array(0),
    o.offset !== undefined ? cat(be16(o.offset), new Uint8Array(o.offset)) : new Uint8Array(0),
  );
  const total = 2 + (o.length ? 2 : 0) + rest.length + payload.length;
  return cat(be16(flags), o.length ? be16(total) : new Uint8Array(0), rest, payload);
}

/** An L2TPv2 control message (T, L, S set): a Hello with no AVPs. */
export function l2tpv2Control(): Bytes {
  return cat(be16(0xc802), be16(12), be16(7), be16(0), be16(1), be16(2));
}

/** An L2TPv3 data message over UDP (RFC 3931 4.1.2.1): flags/version, reserved, session, cookie. */
export function l2tpv3Udp(session: number, payload: Bytes, cookie: Bytes = new Uint8Array(0)): Bytes {
  return cat(be16(0x0003), be16(0), be32(session), cookie, payload);
}

/** An L2TPv3 data message over IP (protocol 115, RFC 3931 4.1.1.1): session, cookie. */
export function l2tpv3Ip(session: number, payload: Bytes, cookie: Bytes = new Uint8Array(0)): Bytes {
  return cat(be32(session), cookie, payload);
}

/** An 802.1ah I-TAG (priority 0, I-SID) followed by the customer's Ethernet frame. */
export function itag(isid: number, customerFrame: Bytes): Bytes {
  return cat(be32(isid & 0xffffff), customerFrame);
}

/**
 * Cisco FabricPath: outer switch addresses, EtherType 0x8903, FTag and TTL, the classic Ethernet
 * frame, and the frame's FCS (not computed: tshark does not check it, but expects it there).
 */
export function fabricPath(innerFrame: Bytes): Bytes {
  const outerDa = hex('02 00 0a 00 00 01'); // switch id 10
  const outerSa = hex('02 00 0b 00 00 02'); // switch id 11
  return cat(outerDa, outerSa, be16(0x8903), be16((1 << 6) | 32), innerFrame, new Uint8Array(4));
}

/** ARCnet as libpcap stores it: BSD (link type 7) or Linux (129, with the 2-byte offset field). */
export function arcnet(ipPkt: Bytes, o: { linux?: boolean; rfc1051?: boolean; exception?: boolean } = {}): Bytes {
  const v6 = ipPkt[0] >> 4 === 6;
  const proto = v6 ? 196 : o.rfc1051 ? 240 : 212;
  const head: Bytes[] = [Uint8Array.of(0x01, 0x02)]; // source, destination station
  if (o.linux) head.push(Uint8Array.of(0, 0));
  head.push(Uint8Array.of(proto));
  if (proto !== 240) {
    if (o.exception) head.push(Uint8Array.of(0xff, 0xff, 0xff, proto));
    head.push(Uint8Array.of(0), be16(0x0102)); // split flag (unfragmented), sequence
  }
  return cat(...head, ipPkt);
}

/** An L2TP AVP (RFC 3931 5.1): mandatory, IETF vendor, `type`, `value`. */
export function l2tpAvp(type: number, value: Bytes): Bytes {
  return cat(be16(0x8000 | (6 + value.length)), be16(0), be16(type), value);
}

export const L2TP_MSG = { SCCRQ: 1, SCCRP: 2, SCCCN: 3, ICRQ: 10, ICRP: 11, ICCN: 12 } as const;
export const L2TP_AVP = {
  MESSAGE_TYPE: 0,
  HOST_NAME: 7,
  ROUTER_ID: 60,
  CONTROL_CONNECTION_ID: 61,
  LOCAL_SESSION_ID: 63,
  REMOTE_SESSION_ID: 64,
  ASSIGNED_COOKIE: 65,
  PW_TYPE: 68,
  L2_SPECIFIC_SUBLAYER: 69,
} as const;

/** An L2TPv3 control message (T, L, S set) over IP (after a zero session ID) or UDP. */
export function l2tpv3Control(msgType: number, avps: Bytes[], o: { ip: boolean; ccid?: number; ns?: number }): Bytes {
  const body = cat(l2tpAvp(L2TP_AVP.MESSAGE_TYPE, be16(msgType)), ...avps);
  const msg = cat(be16(0xc803), be16(12 + body.length), be32(o.ccid ?? 0), be16(o.ns ?? 0), be16(0), body);
  return o.ip ? cat(be32(0), msg) : msg;
}

/**
 * The control messages that set up an L2TPv3 session as tshark needs them to read its data:
 * SCCRQ/SCCRP from `a` and `b` (the caller addresses them), then ICRQ (a's session `sa`, the
 * pseudowire type, a's cookie) and ICRP (b's session `sb`, b's cookie, sublayer).
 */
export function l2tpv3Setup(o: {
  ip: boolean;
  sa: number;
  sb: number;
  pwType: number; // 5 Ethernet, 7 PPP
  cookieA?: Bytes;
  cookieB?: Bytes;
  sublayer?: boolean; // the default L2-specific sublayer
}): { fromA: Bytes[]; fromB: Bytes[] } {
  const u32v = (n: number): Bytes => be32(n);
  const sub = o.sublayer ? [l2tpAvp(L2TP_AVP.L2_SPECIFIC_SUBLAYER, be16(1))] : [];
  const sccrq = l2tpv3Control(
    L2TP_MSG.SCCRQ,
    [
      l2tpAvp(L2TP_AVP.HOST_NAME, new TextEncoder().encode('lcce-a')),
      l2tpAvp(L2TP_AVP.ROUTER_ID, u32v(1)),
      l2tpAvp(L2TP_AVP.CONTROL_CONNECTION_ID, u32v(0x0a)),
    ],
    { ip: o.ip },
  );
  const sccrp = l2tpv3Control(
    L2TP_MSG.SCCRP,
    [
      l2tpAvp(L2TP_AVP.HOST_NAME, new TextEncoder().encode('lcce-b')),
      l2tpAvp(L2TP_AVP.ROUTER_ID, u32v(2)),
      l2tpAvp(L2TP_AVP.CONTROL_CONNECTION_ID, u32v(0x0b)),
    ],
    { ip: o.ip, ccid: 0x0a },
  );
  const icrq = l2tpv3Control(
    L2TP_MSG.ICRQ,
    [
      l2tpAvp(L2TP_AVP.LOCAL_SESSION_ID, u32v(o.sa)),
      l2tpAvp(L2TP_AVP.REMOTE_SESSION_ID, u32v(0)),
      l2tpAvp(L2TP_AVP.PW_TYPE, be16(o.pwType)),
      ...(o.cookieA ? [l2tpAvp(L2TP_AVP.ASSIGNED_COOKIE, o.cookieA)] : []),
      ...sub,
    ],
    { ip: o.ip, ccid: 0x0b, ns: 1 },
  );
  const icrp = l2tpv3Control(
    L2TP_MSG.ICRP,
    [
      l2tpAvp(L2TP_AVP.LOCAL_SESSION_ID, u32v(o.sb)),
      l2tpAvp(L2TP_AVP.REMOTE_SESSION_ID, u32v(o.sa)),
      ...(o.cookieB ? [l2tpAvp(L2TP_AVP.ASSIGNED_COOKIE, o.cookieB)] : []),
      ...sub,
    ],
    { ip: o.ip, ccid: 0x0a, ns: 1 },
  );
  return { fromA: [sccrq, icrq], fromB: [sccrp, icrp] };
}
