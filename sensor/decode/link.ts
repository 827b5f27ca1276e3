// Link-layer headers, by pcap LINKTYPE: Ethernet, BSD null/loop, raw IP, Linux cooked v1/v2,
// PPP and PPP-serial (or Cisco HDLC written under them), Cisco HDLC, NFLOG, ARCnet (BSD and
// Linux), IEEE 802.11 bare or behind radiotap, PPI, Prism or AVS headers.

import { decodeArcnet } from './arcnet.js';
import { decodeAvs } from './avs.js';
import { u16, u16le, u32, u32le } from './bytes.js';
import { decodeCiscoHdlc, decodeHdlcFramed } from './chdlc.js';
import { decodeEtherType, decodeEthernet } from './ethernet.js';
import { decodeIeee80211 } from './ieee80211.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { Packet } from './packet.js';
import { decodePpi } from './ppi.js';
import { decodePrism } from './prism.js';
import { decodeRadiotap } from './radiotap.js';
import { R } from './reasons.js';

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  ARCNET_BSD: 7,
  PPP: 9,
  RAW_OLD: 12,
  RAW_OPENBSD: 14,
  PPP_HDLC: 50,
  RAW: 101,
  C_HDLC: 104,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  PRISM_HEADER: 119,
  IEEE802_11_RADIOTAP: 127,
  ARCNET_LINUX: 129,
  IEEE802_11_AVS: 163,
  PPI: 192,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  LINUX_SLL2: 276,
} as const;

export const SUPPORTED_LINKTYPES: ReadonlySet<number> = new Set(Object.values(LINKTYPE));

export function decodeLink(p: Packet, b: Uint8Array, off: number, end: number, linktype: number): number {
  switch (linktype) {
    case LINKTYPE.ETHERNET:
      return decodeEthernet(p, b, off, end);
    case LINKTYPE.LINUX_SLL:
      if (end - off < 16) return R.TRUNCATED_LINK;
      return decodeEtherType(p, b, off + 16, end, u16(b, off + 14));
    case LINKTYPE.LINUX_SLL2:
      if (end - off < 20) return R.TRUNCATED_LINK;
      return decodeEtherType(p, b, off + 20, end, u16(b, off));
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_OLD:
    case LINKTYPE.RAW_OPENBSD:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return decodeRawIp(p, b, off, end);
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      return decodeNull(p, b, off, end, linktype === LINKTYPE.LOOP);
    case LINKTYPE.PPP:
    case LINKTYPE.PPP_HDLC:
      return decodeHdlcFramed(p, b, off, end);
    case LINKTYPE.C_HDLC:
      return decodeCiscoHdlc(p, b, off, end);
    case LINKTYPE.NFLOG:
      return decodeNflog(p, b, off, end);
    case LINKTYPE.IEEE802_11_RADIOTAP:
      return decodeRadiotap(p, b, off, end);
    case LINKTYPE.IEEE802_11:
      return decodeIeee80211(p, b, off, end, 0);
    case LINKTYPE.PPI:
      return decodePpi(p, b, off, end);
    case LINKTYPE.PRISM_HEADER:
      return decodePrism(p, b, off, end);
    case LINKTYPE.IEEE802_11_AVS:
      return decodeAvs(p, b, off, end);
    case LINKTYPE.ARCNET_BSD:
      return decodeArcnet(p, b, off, end, false);
    case LINKTYPE.ARCNET_LINUX:
      return decodeArcnet(p, b, off, end, true);
    default:
      return R.UNSUPPORTED_LINKTYPE;
  }
}

function decodeRawIp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 1) return R.TRUNCATED_LINK;
  const v = b[off] >> 4;
  if (v === 4) return decodeIPv4(p, b, off, end);
  if (v === 6) return decodeIPv6(p, b, off, end);
  return R.BAD_IP_VERSION;
}

/** BSD loopback: a 4-byte address family, host byte order for NULL, network order for LOOP. */
function decodeNull(p: Packet, b: Uint8Array, off: number, end: number, networkOrder: boolean): number {
  if (end - off < 4) return R.TRUNCATED_LINK;
  // NULL is in the byte order of the machine that wrote it: a family < 256 tells which.
  let family = networkOrder ? u32(b, off) : u32le(b, off);
  if (!networkOrder && family > 0xffff) family = u32(b, off);
  if (family === 2) return decodeIPv4(p, b, off + 4, end);
  // AF_INET6 differs per OS: 10 Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS
  if (family === 10 || family === 24 || family === 28 || family === 30) return decodeIPv6(p, b, off + 4, end);
  return R.NON_IP;
}

/** NFLOG: a 4-byte header, then TLVs (little-endian length and type); type 9 is the packet. */
function decodeNflog(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 4) return R.TRUNCATED_LINK;
  const family = b[off];
  let o = off + 4;
  while (end - o >= 4) {
    const len = u16le(b, o);
    const type = u16le(b, o + 2);
    if (len < 4) return R.TRUNCATED_LINK;
    if (type === 9) {
      const pend = Math.min(end, o + len);
      if (family === 2) return decodeIPv4(p, b, o + 4, pend);
      if (family === 10) return decodeIPv6(p, b, o + 4, pend);
      return R.NON_IP;
    }
    o += (len + 3) & ~3;
  }
  return R.TRUNCATED_LINK;
}
