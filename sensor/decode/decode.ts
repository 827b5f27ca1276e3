// The decoder's one entry point: bytes of one captured frame in, a filled Packet and a reason
// code out (0 = a TCP segment was found). Pure: no I/O, no allocation, never throws on bytes.

import { ENCAPSULATION_TABLE, IPPROTO } from './encapsulations.js';
import { decodeEthernetTcp } from './fast-path.js';
import { decodeGre } from './gre.js';
import { decodeIPv4InIp, decodeIPv6InIp } from './ip-in-ip.js';
import { IP_PAYLOAD_DECODERS } from './ip-payload.js';
import { decodeL2tpIp } from './l2tp.js';
import { decodeLink, LINKTYPE } from './link.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';
import { decodeUdp } from './udp.js';

// the IP payloads other than TCP, by protocol number (see ip-payload.ts)
IP_PAYLOAD_DECODERS[IPPROTO.UDP] = decodeUdp;
for (const n of ENCAPSULATION_TABLE.gre.ipProtocols) IP_PAYLOAD_DECODERS[n] = decodeGre;
IP_PAYLOAD_DECODERS[IPPROTO.IPIP] = decodeIPv4InIp;
IP_PAYLOAD_DECODERS[IPPROTO.IPV6] = decodeIPv6InIp;
for (const n of ENCAPSULATION_TABLE.l2tp.ipProtocols) IP_PAYLOAD_DECODERS[n] = decodeL2tpIp;

/**
 * Decode the frame in b[off, off+caplen) of the given pcap link type into `p`.
 * Returns 0 when `p` holds the innermost TCP segment, else a reason code (see reasons.ts).
 */
export function decodeFrame(p: Packet, b: Uint8Array, off: number, caplen: number, linktype: number): number {
  p.reset(b);
  const end = Math.min(b.length, off + caplen);
  if (linktype === LINKTYPE.ETHERNET && decodeEthernetTcp(p, b, off, end) === 0) return 0;
  return decodeGeneral(p, b, off, end, linktype);
}

/** decodeFrame without the fast path (fast-path.ts), for the test that compares the two. */
export function decodeFrameGeneral(p: Packet, b: Uint8Array, off: number, caplen: number, linktype: number): number {
  p.reset(b);
  return decodeGeneral(p, b, off, Math.min(b.length, off + caplen), linktype);
}

function decodeGeneral(p: Packet, b: Uint8Array, off: number, end: number, linktype: number): number {
  try {
    return decodeLink(p, b, off, end, linktype);
  } catch {
    // Unreachable by construction (every read is bounds-checked); kept so a decoder bug is a
    // counted failure rather than a crashed sensor. The fuzz test asserts it stays at zero.
    return R.DECODER_BUG;
  }
}
