// CAPWAP data channel (RFC 5415 4.3, UDP 5247): a preamble (version 0; type 1 is DTLS, counted as
// encrypted), a header of HLEN 4-byte words (radio MAC and wireless information skipped by it),
// then an IEEE 802.3 frame, or with the T flag a native frame of the wireless binding: 802.11
// (binding 1, RFC 5416), whose Frame Control bytes some access points send swapped (told apart
// by the protocol version bits, which must be 0). Keep-alives are non_tcp; fragments after the
// first are ip_fragment (the first is decoded as far as it goes).

import { u16, u32 } from './bytes.js';
import { decodeEthernet } from './ethernet.js';
import { decodeIeee80211, WLAN_SWAPPED_FC } from './ieee80211.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

const T = 0x100; // native frame format
const F = 0x80; // fragment
const K = 0x08; // keep-alive
const WBID_IEEE80211 = 1;

export function decodeCapwapData(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 1) return R.TRUNCATED_TUNNEL;
  const preamble = b[off];
  if (preamble === 0x01) return R.ENCRYPTED; // DTLS
  if (preamble !== 0) return R.BAD_TUNNEL_HEADER;
  if (end - off < 8) return R.TRUNCATED_TUNNEL;
  const w = u32(b, off);
  const hlen = ((w >>> 19) & 0x1f) << 2;
  if (hlen < 8) return R.BAD_TUNNEL_HEADER;
  if (end - off < hlen) return R.TRUNCATED_TUNNEL;
  if (w & K) return R.NON_TCP;
  if (w & F && u16(b, off + 6) >>> 3 !== 0) return R.IP_FRAGMENT;
  const o = off + hlen;
  if ((w & T) === 0) return decodeEthernet(p, b, o, end);
  if (((w >>> 9) & 0x1f) !== WBID_IEEE80211) return R.NON_IP;
  if (end - o < 1) return R.TRUNCATED_LINK;
  return decodeIeee80211(p, b, o, end, b[o] & 0x03 ? WLAN_SWAPPED_FC : 0);
}
