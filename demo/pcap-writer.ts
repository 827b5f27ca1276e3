// A classic pcap file (microsecond timestamps, Ethernet) of IPv4 TCP segments, for the demo's
// story: headers written from RFC 791/793 with valid checksums, so any capture tool reads the
// file as a real capture. IPv4 only; TCP options: MSS on SYNs.

export const FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface Segment {
  /** capture time, ms since the epoch (fractions kept to the microsecond) */
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  /** MSS option (on a SYN or SYN+ACK) */
  mss?: number;
  payload?: Uint8Array;
  /** IP time to live as seen at the mirror */
  ttl?: number;
}

function ipv4(text: string): number[] {
  const p = text.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255))
    throw new Error(`not an IPv4 address: ${text}`);
  return p;
}

function sum16(b: Uint8Array, start: number, end: number, acc = 0): number {
  let s = acc;
  for (let i = start; i < end; i += 2) s += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  return s;
}

function fold(s: number): number {
  let x = s;
  while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
  return ~x & 0xffff;
}

/** One Ethernet frame carrying the segment (locally administered MACs, one per address). */
export function frame(s: Segment): Uint8Array {
  const opts = s.mss === undefined ? 0 : 4;
  const payload = s.payload ?? new Uint8Array(0);
  const tcpLen = 20 + opts + payload.length;
  const f = new Uint8Array(14 + 20 + tcpLen);
  const v = new DataView(f.buffer);
  const src = ipv4(s.src);
  const dst = ipv4(s.dst);
  f.set([0x02, 0, ...dst], 0); // destination MAC
  f.set([0x02, 0, ...src], 6);
  v.setUint16(12, 0x0800);
  const ip = 14;
  f[ip] = 0x45;
  v.setUint16(ip + 2, 20 + tcpLen);
  v.setUint16(ip + 4, (s.seq ^ s.sport) & 0xffff); // identification
  v.setUint16(ip + 6, 0x4000); // don't fragment
  f[ip + 8] = s.ttl ?? 64;
  f[ip + 9] = 6;
  f.set(src, ip + 12);
  f.set(dst, ip + 16);
  v.setUint16(ip + 10, fold(sum16(f, ip, ip + 20)));
  const t = ip + 20;
  v.setUint16(t, s.sport);
  v.setUint16(t + 2, s.dport);
  v.setUint32(t + 4, s.seq >>> 0);
  v.setUint32(t + 8, s.ack >>> 0);
  f[t + 12] = ((20 + opts) / 4) << 4;
  f[t + 13] = s.flags;
  v.setUint16(t + 14, 64240);
  if (s.mss !== undefined) {
    f[t + 20] = 2;
    f[t + 21] = 4;
    v.setUint16(t + 22, s.mss);
  }
  f.set(payload, t + 20 + opts);
  // pseudo-header: addresses, protocol, TCP length
  const pseudo = sum16(f, ip + 12, ip + 20) + 6 + tcpLen;
  v.setUint16(t + 16, fold(sum16(f, t, t + tcpLen, pseudo)));
  return f;
}

/** The segments as a pcap file, in the order given (callers sort them by time). */
export function pcapFile(segs: readonly Segment[]): Buffer {
  const frames = segs.map(frame);
  const out = Buffer.alloc(24 + frames.reduce((n, f) => n + 16 + f.length, 0));
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16); // snaplen
  out.writeUInt32LE(1, 20); // Ethernet
  let o = 24;
  segs.forEach((s, i) => {
    const us = Math.round(s.ts * 1000);
    out.writeUInt32LE(Math.floor(us / 1e6), o);
    out.writeUInt32LE(us % 1e6, o + 4);
    out.writeUInt32LE(frames[i].length, o + 8);
    out.writeUInt32LE(frames[i].length, o + 12);
    out.set(frames[i], o + 16);
    o += 16 + frames[i].length;
  });
  return out;
}
