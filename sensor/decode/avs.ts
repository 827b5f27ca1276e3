// The AVS capture header (LINKTYPE 163, and some captures of LINKTYPE 119): a big-endian magic
// and version (0x80211001 or 0x80211002), then the header's length, then the 802.11 frame.

import { u32 } from './bytes.js';
import { decodeIeee80211 } from './ieee80211.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

export const AVS_V1 = 0x80211001;
export const AVS_V2 = 0x80211002;

export function decodeAvs(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_LINK;
  const magic = u32(b, off);
  const len = u32(b, off + 4);
  if ((magic !== AVS_V1 && magic !== AVS_V2) || len < 8) return R.BAD_LINK_HEADER;
  if (end - off < len) return R.TRUNCATED_LINK;
  return decodeIeee80211(p, b, off + len, end, 0);
}
