// L2TP data messages: version 2 (RFC 2661 3.1) and version 3 (RFC 3931 4.1.2.1) over UDP 1701,
// version 3 over IP (protocol 115, 4.1.1.1). Control messages are non_tcp. Version 2 carries
// PPP (or Cisco HDLC). Version 3's cookie (0, 4 or 8 bytes) and L2-specific sublayer (none or 4
// bytes) are agreed per session by control messages, which this stateless decoder does not
// keep: it takes the first offset of 0, 4, 8, 12 after the session ID where a PPP frame (FF 03
// then IPv4 or IPv6) or an Ethernet frame carrying IPv4, IPv6 or a VLAN tag begins (tshark
// instead learns them from the session's control messages, and without those shows data).

import { u16, u32 } from './bytes.js';
import { decodeHdlcFramed } from './chdlc.js';
import { decodeEthernet } from './ethernet.js';
import { MAX_TUNNELS, type Packet } from './packet.js';
import { decodePpp } from './ppp.js';
import { R } from './reasons.js';

const CONTROL = 0x8000;
const LENGTH = 0x4000;
const SEQUENCE = 0x0800;
const OFFSET = 0x0200;

export function decodeL2tpUdp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 2) return R.TRUNCATED_TUNNEL;
  const flags = u16(b, off);
  const version = flags & 0x0f;
  if (version !== 2 && version !== 3) return R.BAD_TUNNEL_HEADER;
  if (flags & CONTROL) return R.NON_TCP;
  if (version === 3) {
    if (end - off < 8) return R.TRUNCATED_TUNNEL;
    return decodeV3Session(p, b, off + 4, end);
  }
  let o = off + 2;
  if (flags & LENGTH) {
    if (end - o < 2) return R.TRUNCATED_TUNNEL;
    const len = u16(b, o);
    if (len < 6) return R.BAD_TUNNEL_HEADER;
    if (off + len < end) end = off + len;
    o += 2;
  }
  o += flags & SEQUENCE ? 8 : 4; // tunnel and session IDs, Ns and Nr
  if (flags & OFFSET) {
    if (end - o < 2) return R.TRUNCATED_TUNNEL;
    o += 2 + u16(b, o);
  }
  if (o > end) return R.TRUNCATED_TUNNEL;
  return decodeHdlcFramed(p, b, o, end);
}

/** L2TPv3 directly over IP: a session ID of 0 is a control message. */
export function decodeL2tpIp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
  if (end - off < 4) return R.TRUNCATED_TUNNEL;
  if (u32(b, off) === 0) return R.NON_TCP;
  return decodeV3Session(p, b, off, end);
}

/** From the session ID on: find the payload behind the cookie and sublayer. */
function decodeV3Session(p: Packet, b: Uint8Array, off: number, end: number): number {
  for (let o = off + 4; o <= off + 16; o += 4) {
    if (isPpp(b, o, end)) return decodePpp(p, b, o, end);
    if (isEthernet(b, o, end)) return decodeEthernet(p, b, o, end);
  }
  return end - off < 16 + 15 ? R.TRUNCATED_TUNNEL : R.NON_IP; // the last candidate's checks need 15 bytes
}

function isPpp(b: Uint8Array, o: number, end: number): boolean {
  if (end - o < 5 || b[o] !== 0xff || b[o + 1] !== 0x03) return false;
  const proto = u16(b, o + 2);
  return (proto === 0x0021 && b[o + 4] >> 4 === 4) || (proto === 0x0057 && b[o + 4] >> 4 === 6);
}

function isEthernet(b: Uint8Array, o: number, end: number): boolean {
  if (end - o < 15) return false;
  const type = u16(b, o + 12);
  if (type === 0x0800) return b[o + 14] >> 4 === 4;
  if (type === 0x86dd) return b[o + 14] >> 4 === 6;
  return type === 0x8100 || type === 0x88a8;
}
