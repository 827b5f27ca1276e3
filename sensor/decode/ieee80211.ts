// IEEE 802.11 data frames (802.11-2020 9.2.4, 9.3.2), as a monitor interface or CAPWAP delivers
// them: the MAC header (three addresses, four between distribution systems), QoS Control and
// HT Control when present, then LLC/SNAP (RFC 1042 or 802.1H) naming the EtherType. Protected
// frames are `encrypted`; management, control, extension and body-less data frames (null
// function, CF-Ack/Poll only) are non_ip. Limits: an A-MSDU gives its first subframe only (one
// frame, one packet); mesh control fields are not followed (non_ip).

import { u16 } from './bytes.js';
import { decodeEtherType } from './ethernet.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

/** The MAC header is padded to a multiple of 4 bytes (radiotap's data-pad flag). */
export const WLAN_PAD = 1;
/** The two Frame Control bytes come swapped (some CAPWAP access points). */
export const WLAN_SWAPPED_FC = 2;

const TO_DS_FROM_DS = 0x03;
const PROTECTED = 0x40;
const ORDER = 0x80; // with QoS: an HT Control field follows QoS Control
const AMSDU = 0x80; // in QoS Control's first byte

export function decodeIeee80211(p: Packet, b: Uint8Array, off: number, end: number, opts: number): number {
  if (end - off < 24) return R.TRUNCATED_LINK;
  const swapped = opts & WLAN_SWAPPED_FC ? 1 : 0;
  const fc0 = b[off + swapped];
  const fc1 = b[off + 1 - swapped];
  if ((fc0 & 0x0f) !== 0x08) return R.NON_IP; // protocol version 0, type 2 (data) only
  const subtype = fc0 >> 4;
  if (subtype & 0x04) return R.NON_IP; // no frame body
  if (fc1 & PROTECTED) return R.ENCRYPTED;
  let h = (fc1 & TO_DS_FROM_DS) === TO_DS_FROM_DS ? 30 : 24;
  let amsdu = false;
  if (subtype & 0x08) {
    if (end - off < h + 2) return R.TRUNCATED_LINK;
    amsdu = (b[off + h] & AMSDU) !== 0;
    h += fc1 & ORDER ? 6 : 2;
  }
  if (opts & WLAN_PAD) h = (h + 3) & ~3;
  let o = off + h;
  if (amsdu) {
    if (end - o < 14) return R.TRUNCATED_LINK;
    const len = u16(b, o + 12);
    o += 14;
    if (o + len < end) end = o + len;
  }
  if (end - o < 8) return R.TRUNCATED_LINK;
  // SNAP: DSAP and SSAP 0xAA, UI, OUI 00-00-00 (RFC 1042) or 00-00-F8 (802.1H)
  if (b[o] !== 0xaa || b[o + 1] !== 0xaa || b[o + 2] !== 0x03 || b[o + 3] !== 0 || b[o + 4] !== 0) return R.NON_IP;
  if (b[o + 5] !== 0 && b[o + 5] !== 0xf8) return R.NON_IP;
  return decodeEtherType(p, b, o + 8, end, u16(b, o + 6));
}
