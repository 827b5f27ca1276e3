// The flat Ethernet/VLAN/IPv4/IPv6/TCP decoder (fast-path.ts) must leave the Packet and the
// outcome exactly as the general decoder does, on real captures and on mutated frames.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureParser } from '../../sensor/capture/capture-parser.js';
import { decodeFrame, decodeFrameGeneral } from '../../sensor/decode/decode.js';
import { LINKTYPE } from '../../sensor/decode/link.js';
import { Packet } from '../../sensor/decode/packet.js';
import { eth, ethTagged, hex, ipv4, ipv6, tcp } from '../support/frames.js';
import { fixtures } from './decode-fixtures.js';

const FIELDS = [
  'ipVersion',
  'srcOff',
  'dstOff',
  'ttl',
  'sport',
  'dport',
  'seq',
  'ack',
  'flags',
  'ipEnd',
  'payload',
  'window',
  'mss',
  'vlan',
  'tunnels',
] as const;

/** Decodes each frame both ways into two Packets that live across frames (stale fields included). */
function comparer() {
  const fast = new Packet();
  const general = new Packet();
  let fastOk = 0;
  return {
    check(b: Uint8Array, caplen: number, linktype: number): void {
      const r1 = decodeFrame(fast, b, 0, caplen, linktype);
      const r2 = decodeFrameGeneral(general, b, 0, caplen, linktype);
      if (r1 === 0) fastOk++;
      // one string each (an expect per field made 300k frames take 25 s)
      const s1 = FIELDS.map((f) => fast[f]).join();
      const s2 = FIELDS.map((f) => general[f]).join();
      if (r1 !== r2 || s1 !== s2)
        expect({ r: r1, fields: s1 }, `frame ${Buffer.from(b.subarray(0, caplen)).toString('hex')}`).toEqual({
          r: r2,
          fields: s2,
        });
    },
    get decoded() {
      return fastOk;
    },
  };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('decoder fast path', () => {
  it('agrees with the general decoder on the golden captures', () => {
    const c = comparer();
    for (const file of ['netns-tcpdump-nsec.pcap', 'netns-tshark.pcapng']) {
      const parser = new CaptureParser((b, off, caplen, _sec, _nsec, lt) =>
        c.check(b.subarray(off, off + caplen), caplen, lt),
      );
      parser.feed(readFileSync(new URL(`../golden/${file}`, import.meta.url)));
    }
    expect(c.decoded).toBeGreaterThan(20);
  });

  it('agrees on every truncation and on 300,000 mutations of Ethernet frames', () => {
    const c = comparer();
    const seg = (flags: number, payload = 0): Uint8Array =>
      tcp({
        sport: 40000,
        dport: 443,
        seq: 0xfffffff0,
        ack: 77,
        flags,
        mss: flags & 2 ? 1460 : undefined,
        payload: new Uint8Array(payload),
      });
    const bases = [
      ...fixtures.filter((f) => f.linktype === LINKTYPE.ETHERNET).map((f) => hex(f.hex)),
      eth(0x0800, ipv4({ src: '198.51.100.7', dst: '192.0.2.10', proto: 6 }, seg(0x12, 10))),
      eth(
        0x0800,
        ipv4({ src: '198.51.100.7', dst: '192.0.2.10', proto: 6, options: new Uint8Array([1, 1, 1, 0]) }, seg(0x02)),
      ),
      eth(0x86dd, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 6 }, seg(0x10, 100))),
      ethTagged(
        [
          [0x8100, 7],
          [0x8100, 9],
        ],
        0x0800,
        ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, seg(0x02)),
      ),
      ethTagged([[0x88a8, 3]], 0x86dd, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 6 }, seg(0x04))),
    ];
    const rand = rng(2026);
    for (const b of bases) {
      for (let cut = 0; cut <= b.length; cut++) c.check(b, cut, LINKTYPE.ETHERNET);
      for (let i = 0; i < 300_000 / bases.length; i++) {
        const m = Uint8Array.from(b);
        // flip header bytes mostly (types, lengths, versions, flags, offsets), sometimes any byte
        const flips = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < flips; k++) {
          const at =
            rand() < 0.8 ? 12 + Math.floor(rand() * Math.min(60, m.length - 12)) : Math.floor(rand() * m.length);
          m[at] = rand() < 0.5 ? m[at] ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
        }
        c.check(m, rand() < 0.2 ? Math.floor(rand() * (m.length + 1)) : m.length, LINKTYPE.ETHERNET);
      }
    }
    expect(c.decoded).toBeGreaterThan(10_000);
  });
});
