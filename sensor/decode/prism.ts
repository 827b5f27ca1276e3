// The Prism monitoring header (LINKTYPE 119, Linux wlan-ng and old drivers): a message code
// (0x41 or 0x44, in either byte order), then a fixed 144-byte header before the 802.11 frame.
// Some writers put an AVS header under this link type instead (told by its magic); a frame with
// neither is taken to be a bare 802.11 frame, as tshark does.

import { u32, u32le } from './bytes.js';
import { AVS_V1, AVS_V2, decodeAvs } from './avs.js';
import { decodeIeee80211 } from './ieee80211.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

const PRISM_HEADER_LENGTH = 144;

export function decodePrism(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 4) return R.TRUNCATED_LINK;
  const be = u32(b, off);
  if (be === AVS_V1 || be === AVS_V2) return decodeAvs(p, b, off, end);
  const le = u32le(b, off);
  if (le !== 0x41 && le !== 0x44 && be !== 0x41 && be !== 0x44) return decodeIeee80211(p, b, off, end, 0);
  if (end - off < PRISM_HEADER_LENGTH) return R.TRUNCATED_LINK;
  return decodeIeee80211(p, b, off + PRISM_HEADER_LENGTH, end, 0);
}
