// Decoder unit tests: each hex fixture (with the tcpdump line that reads it, in
// decode-fixtures.ts) decodes to the fields it was built with, or to its named reason.

import { describe, expect, it } from 'vitest';
import { ipText } from '../../schemas/ip.js';
import { decodeFrame } from '../../sensor/decode/decode.js';
import { Packet } from '../../sensor/decode/packet.js';
import { reasonName } from '../../sensor/decode/reasons.js';
import { hex } from '../support/frames.js';
import { fixtures } from './decode-fixtures.js';

describe('decodeFrame', () => {
  for (const f of fixtures) {
    it(f.name, () => {
      const b = hex(f.hex);
      const p = new Packet();
      const r = decodeFrame(p, b, 0, b.length, f.linktype);
      expect(reasonName(r)).toBe(f.expect.reason);
      if (r !== 0) return;
      const e = f.expect;
      expect(ipText(b, p.srcOff, p.ipVersion)).toBe(e.src);
      expect(ipText(b, p.dstOff, p.ipVersion)).toBe(e.dst);
      expect([p.sport, p.dport, p.flags, p.ttl]).toEqual([e.sport, e.dport, e.flags, e.ttl]);
      expect(p.window).toBe(e.window);
      expect(p.mss).toBe(e.mss);
      expect(p.vlan).toBe(e.vlan ?? -1);
      expect(p.tunnels).toBe(e.tunnels ?? 0);
    });
  }

  it('reads nothing past the captured length even when the buffer holds more', () => {
    const f = fixtures.find((x) => x.name === 'ethernet ipv4 syn')!;
    const b = hex(f.hex);
    const p = new Packet();
    // the same bytes, but only 47 of them "captured": TCP flags are byte 48
    expect(reasonName(decodeFrame(p, b, 0, 47, 1))).toBe('truncated_tcp');
    expect(reasonName(decodeFrame(p, b, 0, 48, 1))).toBe('ok');
    expect(p.window).toBe(-1);
  });

  it('decodes a frame at an offset inside a larger buffer', () => {
    const f = fixtures.find((x) => x.name === 'ethernet ipv6 syn+ack')!;
    const inner = hex(f.hex);
    const b = new Uint8Array(inner.length + 100).fill(0xee);
    b.set(inner, 37);
    const p = new Packet();
    expect(decodeFrame(p, b, 37, inner.length, 1)).toBe(0);
    expect(ipText(b, p.srcOff, 6)).toBe('2001:db8:2::10');
  });
});
