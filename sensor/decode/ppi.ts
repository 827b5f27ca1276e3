// PPI, the Per-Packet Information header (CACE Technologies' specification, LINKTYPE 192): a
// version byte, flags, a little-endian length and the link type of the frame behind it, which
// is followed when it is 802.11 or Ethernet (anything else is unsupported_linktype). The PPI
// fields themselves are skipped by the length.

import { u16le, u32le } from './bytes.js';
import { decodeEthernet } from './ethernet.js';
import { decodeIeee80211 } from './ieee80211.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

const DLT_EN10MB = 1;
const DLT_IEEE802_11 = 105;

export function decodePpi(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_LINK;
  const len = u16le(b, off + 2);
  if (b[off] !== 0 || len < 8) return R.BAD_LINK_HEADER;
  if (end - off < len) return R.TRUNCATED_LINK;
  const dlt = u32le(b, off + 4);
  if (dlt === DLT_IEEE802_11) return decodeIeee80211(p, b, off + len, end, 0);
  if (dlt === DLT_EN10MB) return decodeEthernet(p, b, off + len, end);
  return R.UNSUPPORTED_LINKTYPE;
}
