// The soak's mirrored traffic: each slot is one `tcpreplay --pps` run from the lab's client
// namespace, a background capture (connections to the background endpoints with data, refused
// and unanswered SYNs to closed ports; a pool of them, told apart by client ports) with the
// slot's scheduled handshakes put first. Each run's wall-clock interval and packets sent are
// recorded: a handshake's time is known to its slot. Counts of the packets the sensor's kernel
// filter passes come from tcpdump over the same files, not from this generator.

import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { buildFilter } from '../../sensor/capture/bpf-filter.js';
import { eth, F, ipPacket, tcp } from '../../test/support/frames.js';
import { conversation, ipOf } from '../../test/support/scenarios.js';
import type { Endpoint } from './schedule.js';

export const SENSOR_FILTER = buildFilter({ acks: true, encapsulations: ['vlan', 'vxlan', 'geneve', 'gre', 'ipip'] });

export interface SlotRun {
  slot: number;
  start: number;
  end: number;
  sent: number;
  /** of them, packets the sensor's kernel filter passes */
  matching: number;
}

const REC = Buffer.alloc(16);
function record(frame: Uint8Array): Buffer {
  const h = Buffer.from(REC);
  h.writeUInt32LE(frame.length, 8);
  h.writeUInt32LE(frame.length, 12);
  return Buffer.concat([h, frame]);
}
const HEADER = (() => {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(1, 20);
  return h;
})();

const frameOf = (ip: Uint8Array): Uint8Array => eth(0x0800, ip);

/** One background capture of about `packets` frames as pcap records (no file header); `pool`
 * picks the client ports. */
export function backgroundCapture(endpoints: Endpoint[], packets: number, pool: number): Buffer {
  let seed = 99 + pool;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const recs: Buffer[] = [];
  const open: Uint8Array[][] = [];
  let n = 0;
  let count = 0;
  const conn = (): Uint8Array[] => {
    const i = n++;
    const e = endpoints[rand(endpoints.length)];
    const c = `198.51.${100 + (i % 4)}.${1 + (i % 250)}`;
    const cp = 1024 + ((pool * 7919 + i) % 60000);
    const ci = rand(1 << 30);
    const si = rand(1 << 30);
    const seg = (fromClient: boolean, seq: number, ack: number, flags: number, size = 0, port = e.port) =>
      frameOf(
        ipPacket(
          fromClient ? c : e.ip,
          fromClient ? e.ip : c,
          6,
          tcp({
            sport: fromClient ? cp : port,
            dport: fromClient ? port : cp,
            seq: seq >>> 0,
            ack: ack >>> 0,
            flags,
            mss: flags & F.SYN ? 1400 : undefined,
            payload: new Uint8Array(size),
          }),
        ),
      );
    // a closed port: refused, or (one in three) never answered; neither is a service
    if (i % 10 === 9) {
      const syn = seg(true, ci, 0, F.SYN, 0, 81);
      return i % 30 === 29 ? [syn] : [syn, seg(false, 0, ci + 1, F.RST | F.ACK, 0, 81)];
    }
    const frames = [seg(true, ci, 0, F.SYN), seg(false, si, ci + 1, F.SYN | F.ACK), seg(true, ci + 1, si + 1, F.ACK)];
    let cs = ci + 1;
    let ss = si + 1;
    for (const [k, size] of [0, 0, 40, 120, 0, 300, 0, 60].entries()) {
      const fromClient = k % 2 === 0;
      frames.push(seg(fromClient, fromClient ? cs : ss, fromClient ? ss : cs, size ? F.PSH | F.ACK : F.ACK, size));
      if (fromClient) cs += size;
      else ss += size;
    }
    return frames;
  };
  while (count < packets) {
    while (open.length < 256) open.push(conn());
    const k = rand(open.length);
    recs.push(record(open[k].shift()!));
    count++;
    if (open[k].length === 0) open.splice(k, 1);
  }
  return Buffer.concat(recs);
}

/** The slot's handshakes (SYN, SYN+ACK, ACK each) as pcap records, without a file header. */
export function handshakeRecords(endpoints: Endpoint[], slot: number): Buffer {
  const recs: Buffer[] = [];
  endpoints.forEach((e, i) => {
    const c = `203.0.113.${1 + (i % 250)}`;
    for (const s of conversation(c, e.ip, 1024 + ((slot * 131 + i) % 60000), e.port, 0, 'open').slice(0, 3))
      recs.push(record(frameOf(ipOf(s))));
  });
  return Buffer.concat(recs);
}

/** Packets of `file` the sensor's kernel filter passes (tcpdump --count). */
export function matchingPackets(file: string): number {
  const out = execFileSync('tcpdump', ['-r', file, '--count', SENSOR_FILTER], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return Number(/(\d+) packets?/.exec(out)?.[1] ?? Number.NaN);
}

/** Replays `file` once at `pps` onto `iface` inside `ns`; resolves with the packets sent. */
export function replay(ns: string, iface: string, file: string, pps: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, 'tcpreplay', '-i', iface, `--pps=${pps}`, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      const sent = /Successful packets:\s+(\d+)/.exec(out);
      if (code !== 0 || !sent) reject(new Error(`tcpreplay failed (${code}): ${out.slice(-500)}`));
      else resolve(Number(sent[1]));
    });
  });
}

export function writeCapture(file: string, body: Buffer[]): void {
  writeFileSync(file, Buffer.concat([HEADER, ...body]));
}
