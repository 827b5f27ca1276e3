// Generates the replay benchmark capture: interleaved TCP connections over IPv4 and IPv6, a
// third of them 802.1Q-tagged, 10% refused with RST; each accepted connection is a handshake
// plus 8 data/ACK segments (the share of handshake packets is printed at the end and recorded in
// benchmarks/README.md). With `tunnels`, the same
// traffic inside VXLAN, GRE (Ethernet bridging), IP-in-IP and GENEVE, a quarter each by
// connection, for the decoder's general path (the flat fast path takes none of it). With `lossy`,
// a mirror that loses handshake packets: the SYN+ACK of every 100th connection and the SYN of
// every 100th + 50 are left out; those whose client ACK made it into the file are counted and
// printed (the capture-loss estimate must match them).
// Usage: node dist/benchmarks/generate.js OUT.pcap [PACKETS] [tunnels] [lossy]   (default 5,500,000)

import { closeSync, openSync, writeSync } from 'node:fs';
import { eth, ethTagged, F, geneve, gre, ipPacket, tcp, udp, vxlan } from '../test/support/frames.js';

const out = process.argv[2] ?? 'benchmarks/data/replay-5m.pcap';
const target = Number(process.argv[3] ?? 5_500_000);
const tunnels = process.argv.slice(4).includes('tunnels');
const lossy = process.argv.slice(4).includes('lossy');
const SYN_LEFT_OUT = 1;
const SYNACK_LEFT_OUT = 2;
const left = [0, 0, 0]; // by what was left out, connections whose client ACK was written

const fd = openSync(out, 'w');
const hdr = Buffer.alloc(24);
hdr.writeUInt32LE(0xa1b2c3d4, 0);
hdr.writeUInt16LE(2, 4);
hdr.writeUInt16LE(4, 6);
hdr.writeUInt32LE(262144, 16);
hdr.writeUInt32LE(1, 20);
writeSync(fd, hdr);

const buf = Buffer.alloc(8 << 20);
let pos = 0;
let packets = 0;
let handshakePackets = 0;
let ts = 1_767_225_600_000_000; // microseconds

function put(frame: Uint8Array): void {
  if (pos + frame.length + 16 > buf.length) {
    writeSync(fd, buf, 0, pos);
    pos = 0;
  }
  buf.writeUInt32LE(Math.floor(ts / 1e6), pos);
  buf.writeUInt32LE(ts % 1e6, pos + 4);
  buf.writeUInt32LE(frame.length, pos + 8);
  buf.writeUInt32LE(frame.length, pos + 12);
  buf.set(frame, pos + 16);
  pos += 16 + frame.length;
  packets++;
  ts += 1;
}

let seed = 12345;
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const PORTS = [22, 25, 53, 80, 110, 143, 443, 445, 993, 1433, 3306, 3389, 5432, 6379, 8080, 8443, 9200, 27017];
const SIZES = [0, 0, 40, 120, 0, 300, 0, 60];

interface Conn {
  frames: Uint8Array[];
  i: number;
  leftOut: number; // 0, SYN_LEFT_OUT or SYNACK_LEFT_OUT (the client ACK is then frames[1])
}

function connection(n: number): Conn {
  const v6 = n % 3 === 0;
  const vlan = n % 3 === 1 ? 100 + (n % 7) : -1;
  const c = v6 ? `2001:db8:1::${(n % 65000).toString(16)}` : `198.51.${100 + (n % 4)}.${n % 250}`;
  const s = v6 ? `2001:db8:2::${(rand(500) + 1).toString(16)}` : `192.0.2.${rand(200) + 1}`;
  const cp = 1024 + (n % 60000);
  const sp = PORTS[rand(PORTS.length)];
  const ci = rand(1 << 30);
  const si = rand(1 << 30);
  const frame = (ip: Uint8Array): Uint8Array => {
    const type = v6 ? 0x86dd : 0x0800;
    return vlan >= 0 ? ethTagged([[0x8100, vlan]], type, ip) : eth(type, ip);
  };
  const outer = (proto: number, payload: Uint8Array): Uint8Array =>
    eth(0x0800, ipPacket('203.0.113.1', '203.0.113.2', proto, payload));
  const tunnel = (ip: Uint8Array): Uint8Array => {
    if (n % 4 === 0) return outer(17, udp(49152, 4789, vxlan(n & 0xffffff, frame(ip))));
    if (n % 4 === 1) return outer(47, gre(0x6558, frame(ip)));
    if (n % 4 === 2) return outer(v6 ? 41 : 4, ip);
    return outer(17, udp(49152, 6081, geneve(0x6558, frame(ip))));
  };
  const wrap = tunnels ? tunnel : frame;
  const seg = (fromClient: boolean, seq: number, ack: number, flags: number, size = 0, mss?: number): Uint8Array =>
    wrap(
      ipPacket(
        fromClient ? c : s,
        fromClient ? s : c,
        6,
        tcp({
          sport: fromClient ? cp : sp,
          dport: fromClient ? sp : cp,
          seq: seq >>> 0,
          ack: ack >>> 0,
          flags,
          mss,
          payload: new Uint8Array(size),
        }),
      ),
    );
  const frames = [seg(true, ci, 0, F.SYN, 0, 1460)];
  if (n % 10 === 9) {
    frames.push(seg(false, 0, ci + 1, F.RST | F.ACK));
    return { frames, i: 0, leftOut: 0 };
  }
  frames.push(seg(false, si, ci + 1, F.SYN | F.ACK, 0, 1400), seg(true, ci + 1, si + 1, F.ACK));
  let leftOut = 0;
  if (lossy && n % 100 === 0) leftOut = SYNACK_LEFT_OUT;
  else if (lossy && n % 100 === 50) leftOut = SYN_LEFT_OUT;
  if (leftOut) frames.splice(leftOut === SYN_LEFT_OUT ? 0 : 1, 1);
  let cs = ci + 1;
  let ss = si + 1;
  for (let k = 0; k < 8; k++) {
    const fromClient = k % 2 === 0;
    const size = SIZES[k];
    frames.push(seg(fromClient, fromClient ? cs : ss, fromClient ? ss : cs, size ? F.PSH | F.ACK : F.ACK, size));
    if (fromClient) cs += size;
    else ss += size;
  }
  return { frames, i: 0, leftOut };
}

// keep ~512 connections open at once and interleave their packets
const open: Conn[] = [];
let n = 0;
while (packets < target) {
  while (open.length < 512) open.push(connection(n++));
  const k = rand(open.length);
  const conn = open[k];
  const f = conn.frames[conn.i++];
  if (conn.i <= 3) handshakePackets++; // SYN, SYN+ACK/RST, ACK
  put(f);
  if (conn.leftOut && conn.i === 2) left[conn.leftOut]++; // its client ACK
  if (conn.i >= conn.frames.length) open.splice(k, 1);
}
writeSync(fd, buf, 0, pos);
closeSync(fd);
process.stdout.write(
  `${out}: ${packets} packets, ${n} connections, ${((100 * handshakePackets) / packets).toFixed(1)}% handshake packets${lossy ? `; left out ${left[SYN_LEFT_OUT]} SYNs and ${left[SYNACK_LEFT_OUT]} SYN+ACKs (of handshakes whose client ACK is in the file)` : ''}\n`,
);
