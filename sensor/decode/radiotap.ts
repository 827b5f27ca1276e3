// Radiotap (radiotap.org), the header Linux and BSD monitor interfaces put before each 802.11
// frame (LINKTYPE 127): a little-endian length, a chain of present-bitmap words, then fields.
// Only the Flags field is read (data pad); the rest is skipped by the length. A trailing FCS
// is left in place: the IP header's length ends the packet before it.

import { u16le, u32le } from './bytes.js';
import { decodeIeee80211, WLAN_PAD } from './ieee80211.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

const TSFT = 0x01;
const FLAGS = 0x02;
const EXT = 0x80000000;
const F_DATA_PAD = 0x20; // the 802.11 header is padded to a multiple of 4

export function decodeRadiotap(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_LINK;
  const len = u16le(b, off + 2);
  if (b[off] !== 0 || len < 8) return R.BAD_LINK_HEADER;
  if (end - off < len) return R.TRUNCATED_LINK;
  const present = u32le(b, off + 4);
  let f = 8; // the first field, after every present word (offsets from the header's start)
  for (let w = present; w & EXT; w = u32le(b, off + f - 4)) {
    f += 4;
    if (f > len) return R.BAD_LINK_HEADER;
  }
  let flags = 0;
  if (present & FLAGS) {
    if (present & TSFT) f = ((f + 7) & ~7) + 8; // TSFT: 8 bytes, aligned to 8
    if (f >= len) return R.BAD_LINK_HEADER;
    flags = b[off + f];
  }
  return decodeIeee80211(p, b, off + len, end, flags & F_DATA_PAD ? WLAN_PAD : 0);
}
