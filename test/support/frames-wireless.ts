// Builds 802.11 frames and what carries them, byte by byte, for tests: 802.11 data frames (IEEE
// 802.11-2020 9.2/9.3.2: both address orders, QoS, +HTC, protected, A-MSDU) with LLC/SNAP, the
// capture headers in front of them (radiotap, PPI, Prism, AVS) and CAPWAP data (RFC 5415/5416).
// Written from those documents, not from the decoder; checked against tshark by the fixtures
// and the golden tests.

import { type Bytes, be16, be32, cat, hex } from './frames.js';

function le16(n: number): Bytes {
  return Uint8Array.of(n & 0xff, (n >> 8) & 0xff);
}

function le32(n: number): Bytes {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

/** RFC 1042 LLC/SNAP: AA AA 03, OUI 0, then the EtherType. */
export function llcSnap(etherType: number, payload: Bytes): Bytes {
  return cat(hex('aa aa 03 00 00 00'), be16(etherType), payload);
}

export interface WlanOpts {
  /** ToDS / FromDS: 'sta' (to the AP), 'ap' (from the AP), 'wds' (both: four addresses), 'ibss' */
  dir?: 'sta' | 'ap' | 'wds' | 'ibss';
  qos?: boolean;
  /** the Order bit: with QoS, a 4-byte HT Control field follows the QoS Control field */
  htc?: boolean;
  protected?: boolean;
  /** QoS Control says the body is an A-MSDU (IEEE 802.11 9.3.2.2) */
  amsdu?: boolean;
  /** pad the MAC header to a multiple of 4 (radiotap's "data pad" flag) */
  pad?: boolean;
  subtype?: number; // default 0 (Data) or 8 (QoS Data)
}

const BSSID = hex('02 00 00 00 01 01');
const STA = hex('02 00 00 00 01 02');
const HOST = hex('02 00 00 00 01 03');
const PEER = hex('02 00 00 00 01 04');

/** An 802.11 data frame (no FCS) carrying `body` (usually llcSnap(...)). */
export function wlanData(body: Bytes, o: WlanOpts = {}): Bytes {
  const dir = o.dir ?? 'sta';
  const ds = { ibss: 0, sta: 1, ap: 2, wds: 3 }[dir];
  const subtype = o.subtype ?? (o.qos ? 8 : 0);
  const fc0 = (subtype << 4) | (2 << 2); // type 2: data, version 0
  const fc1 = ds | (o.protected ? 0x40 : 0) | (o.htc ? 0x80 : 0);
  const addrs =
    dir === 'sta'
      ? [BSSID, STA, HOST]
      : dir === 'ap'
        ? [STA, BSSID, HOST]
        : dir === 'wds'
          ? [BSSID, PEER, HOST, STA]
          : [STA, HOST, BSSID];
  const parts: Bytes[] = [Uint8Array.of(fc0, fc1), le16(0x002c), addrs[0], addrs[1], addrs[2], le16(0x1230)];
  if (addrs[3]) parts.push(addrs[3]);
  if (subtype & 8) parts.push(Uint8Array.of(o.amsdu ? 0x80 : 0x00, 0x00));
  if (o.htc && subtype & 8) parts.push(be32(0));
  let hdr = cat(...parts);
  if (o.pad && hdr.length % 4) hdr = cat(hdr, new Uint8Array(4 - (hdr.length % 4)));
  if (o.protected) body = cat(hex('01 00 00 20 00 00 00 00'), body, new Uint8Array(8)); // CCMP header and MIC
  return cat(hdr, body);
}

/** A-MSDU subframes (DA, SA, length, MSDU, padding to 4 bytes except after the last). */
export function amsdu(msdus: Bytes[]): Bytes {
  const parts: Bytes[] = [];
  msdus.forEach((m, i) => {
    const sub = cat(HOST, STA, be16(m.length), m);
    parts.push(sub);
    if (i < msdus.length - 1 && sub.length % 4) parts.push(new Uint8Array(4 - (sub.length % 4)));
  });
  return cat(...parts);
}

/** Swap the two Frame Control bytes, as some Cisco access points send them in CAPWAP. */
export function swapFc(frame: Bytes): Bytes {
  return cat(Uint8Array.of(frame[1], frame[0]), frame.subarray(2));
}

/**
 * A radiotap header (radiotap.org): flags, rate, channel and signal, optionally TSFT (aligned to
 * 8 bytes) and a second present word; `dataPad` sets the flag saying the MAC header is padded.
 */
export function radiotap(frame: Bytes, o: { tsft?: boolean; dataPad?: boolean; extended?: boolean } = {}): Bytes {
  let present = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5); // flags, rate, channel, dBm signal
  if (o.tsft) present |= 1;
  const words = [o.extended ? (present | 0x80000000) >>> 0 : present];
  if (o.extended) words.push(0); // a second present word, radiotap namespace, no fields
  const fields: number[] = [];
  let off = 4 + 4 * words.length;
  const align = (a: number): void => {
    while (off % a) {
      fields.push(0);
      off++;
    }
  };
  if (o.tsft) {
    align(8);
    fields.push(1, 2, 3, 4, 5, 6, 7, 8);
    off += 8;
  }
  fields.push(o.dataPad ? 0x20 : 0x00, 0x0c); // flags, rate (6 Mb/s)
  off += 2;
  align(2);
  fields.push(...le16(2437), ...le16(0x00a0)); // channel 6, 2 GHz OFDM
  off += 4;
  fields.push(0xc4); // -60 dBm
  off += 1;
  const len = off;
  return cat(Uint8Array.of(0, 0), le16(len), ...words.map(le32), Uint8Array.from(fields), frame);
}

/** PPI (Per-Packet Information) with one 802.11-Common field, for link type `dlt`. */
export function ppi(frame: Bytes, dlt = 105): Bytes {
  const common = cat(le16(2), le16(20), new Uint8Array(8), le16(0), le16(20), le16(2437), le16(0x00a0));
  const field = cat(common, Uint8Array.of(0, 0, 0xc4, 0xa0)); // FHSS, signal, noise
  return cat(Uint8Array.of(0, 0), le16(8 + field.length), le32(dlt), field, frame);
}

/** The Prism monitoring header (144 bytes, little-endian, as Linux wlan-ng wrote it). */
export function prism(frame: Bytes): Bytes {
  const dev = new Uint8Array(16);
  dev.set(new TextEncoder().encode('wlan0'));
  const items: Bytes[] = [];
  for (let i = 0; i < 10; i++) items.push(cat(le32(0x0041 + (i << 12)), le16(0), le16(4), le32(i)));
  return cat(le32(0x00000044), le32(144), dev, ...items, frame);
}

/** The AVS capture header, version 1 (64 bytes, big-endian). */
export function avs(frame: Bytes): Bytes {
  return cat(be32(0x80211001), be32(64), new Uint8Array(56).fill(0), frame);
}

export interface CapwapOpts {
  /** 'wlan': T bit set, WBID 1, an 802.11 frame; '802.3': T clear, an Ethernet frame */
  kind: 'wlan' | '802.3';
  radioMac?: boolean;
  wirelessInfo?: boolean;
  keepAlive?: boolean;
  fragment?: { id: number; offset: number };
}

/** A CAPWAP data message (RFC 5415 4.3): preamble, header with optional radio MAC and wireless info. */
export function capwapData(payload: Bytes, o: CapwapOpts): Bytes {
  const opt: Bytes[] = [];
  if (o.radioMac) opt.push(Uint8Array.of(6, ...BSSID, 0)); // length, MAC, pad to 4
  if (o.wirelessInfo) opt.push(Uint8Array.of(4, 0xc4, 0xa0, 0x00, 0x00, 0, 0, 0)); // RFC 5416 IEEE 802.11 info
  const options = cat(...opt);
  const hlen = (8 + options.length) / 4;
  const t = o.kind === 'wlan' ? 1 : 0;
  const wbid = 1;
  const f = o.fragment ? 1 : 0;
  const w = o.wirelessInfo ? 1 : 0;
  const m = o.radioMac ? 1 : 0;
  const k = o.keepAlive ? 1 : 0;
  const word0 = ((hlen << 19) | (0 << 14) | (wbid << 9) | (t << 8) | (f << 7) | (w << 5) | (m << 4) | (k << 3)) >>> 0;
  const word1 = o.fragment ? ((o.fragment.id << 16) | (o.fragment.offset << 3)) >>> 0 : 0;
  return cat(be32(word0), be32(word1), options, payload);
}
