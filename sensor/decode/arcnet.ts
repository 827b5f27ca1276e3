// ARCnet as libpcap stores it (LINKTYPE 7, BSD; 129, Linux, with a 2-byte offset field after
// the station addresses): a protocol ID, then for RFC 1201 protocols a split flag and a
// sequence number (BSD may put an exception header before them). IPv4 (RFC 1051 and 1201) and
// IPv6 are followed; a later fragment of a split packet (an even, non-zero split flag) is
// ip_fragment; other protocols are non_ip.

import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

const IP_1051 = 240;
const IP_1201 = 212;
const IPV6 = 196;

export function decodeArcnet(p: Packet, b: Uint8Array, off: number, end: number, linux: boolean): number {
  let o = off + (linux ? 4 : 2); // source and destination station, the Linux offset field
  if (end - o < 1) return R.TRUNCATED_LINK;
  const proto = b[o];
  if (proto === IP_1051) return decodeIPv4(p, b, o + 1, end); // no split flag
  if (proto !== IP_1201 && proto !== IPV6) return R.NON_IP;
  if (end - o < 4) return R.TRUNCATED_LINK;
  if (!linux && b[o + 1] === 0xff) {
    o += 4; // exception: flag, 2 bytes of padding, the protocol ID again
    if (end - o < 4) return R.TRUNCATED_LINK;
  }
  const split = b[o + 1];
  if (split !== 0 && (split & 1) === 0) return R.IP_FRAGMENT;
  return proto === IPV6 ? decodeIPv6(p, b, o + 4, end) : decodeIPv4(p, b, o + 4, end);
}
