// Decoder unit tests: each hex fixture (with the tcpdump and tshark lines that read it, in
// decode-fixtures.ts) decodes to the fields it was built with, or to its named reason.

import { describe, expect, it } from 'vitest';
import { ipText } from '../../schemas/ip.js';
import { decodeFrame } from '../../sensor/decode/decode.js';
import { udpTunnelPorts } from '../../sensor/decode/encapsulations.js';
import { Packet } from '../../sensor/decode/packet.js';
import { reasonName } from '../../sensor/decode/reasons.js';
import { eth, hex, ipv4, udp } from '../support/frames.js';
import { fixtures } from './decode-fixtures.js';

describe('decodeFrame', () => {
  for (const f of fixtures) {
    it(f.name, () => {
      const b = hex(f.hex);
      const p = new Packet();
      p.teredoAnyPort = f.options?.teredoAnyPort ?? false;
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

  it('every UDP tunnel port of the encapsulation table reaches a decoder, either way where the table says so', () => {
    const { dst, both } = udpTunnelPorts();
    const p = new Packet();
    const reasonFor = (sport: number, dport: number): string => {
      const f = eth(
        0x0800,
        ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 17 }, udp(sport, dport, new Uint8Array(0))),
      );
      return reasonName(decodeFrame(p, f, 0, f.length, 1));
    };
    // a tunnel's decoder finds an empty payload cut short; sFlow's datagram is handed on whole
    for (const port of [...dst, ...both]) expect(reasonFor(50000, port), `port ${port}`).toMatch(/^truncated_|^sflow$/);
    for (const port of both) expect(reasonFor(port, 50000), `port ${port}`).toMatch(/^truncated_/);
    for (const port of dst) expect(reasonFor(port, 50000), `port ${port}`).toBe('non_tcp');
  });
});
