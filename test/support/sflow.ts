// Builds sFlow version 5 datagrams byte by byte (sflow.org/sflow_version_5.txt, XDR: big-endian,
// opaque data padded to 4 bytes) for tests and benchmarks: flow samples and expanded flow
// samples with raw packet header records (and extended switch records), counter samples, and
// the datagram around them; plus the UDP frame that carries one to a collector. Written from
// the specification, not from the decoder, and checked against tshark's sFlow dissector. Also
// walkSflow: what the decoder reads in one, for tests to compare.

import { ipText } from '../../schemas/ip.js';
import { decodeFrame } from '../../sensor/decode/decode.js';
import { Packet } from '../../sensor/decode/packet.js';
import { R, reasonName } from '../../sensor/decode/reasons.js';
import { SFLOW_END, SflowReader } from '../../sensor/decode/sflow.js';
import { type Bytes, be32, cat, eth, ip, ipv4, ipv6, udp } from './frames.js';

const pad4 = (b: Bytes): Bytes => (b.length % 4 ? cat(b, new Uint8Array(4 - (b.length % 4))) : b);
const words = (...n: number[]): Bytes => cat(...n.map(be32));

/** header_protocol values of the raw packet header record */
export const HEADER = { ETHERNET: 1, FDDI: 4, IPV4: 11, IPV6: 12 } as const;

/**
 * A raw packet header record (flow record format 1): the first `maxHeader` bytes of `frame`, as
 * a switch samples them (frame_length counts the 4-byte FCS the switch stripped).
 */
export function rawHeader(frame: Bytes, o: { protocol?: number; maxHeader?: number } = {}): Bytes {
  const header = frame.subarray(0, Math.min(frame.length, o.maxHeader ?? 128));
  const body = cat(words(o.protocol ?? HEADER.ETHERNET, frame.length + 4, 4, header.length), pad4(header));
  return cat(words(1, body.length), body);
}

/** An extended switch record (flow record format 1001): VLANs and priorities in and out. */
export function extendedSwitch(vlan: number): Bytes {
  return cat(words(1001, 16), words(vlan, 0, vlan, 0));
}

export interface FlowSampleOpts {
  rate: number;
  records: Bytes[];
  expanded?: boolean; // format 3 (expanded flow sample) instead of 1
  seq?: number;
  input?: number; // ifIndex
}

/** A flow sample (format 1) or expanded flow sample (format 3) holding `records`. */
export function flowSample(o: FlowSampleOpts): Bytes {
  const seq = o.seq ?? 1;
  const input = o.input ?? 3;
  const pool = o.rate * seq;
  const head = o.expanded
    ? words(seq, 0, input, o.rate, pool, 0, 0, input, 0, 7, o.records.length)
    : words(seq, input, o.rate, pool, 0, input, 7, o.records.length);
  const body = cat(head, ...o.records);
  return cat(words(o.expanded ? 3 : 1, body.length), body);
}

/** A counter sample (format 2, or expanded 4) with one generic interface counters record. */
export function counterSample(o: { expanded?: boolean; ifIndex?: number } = {}): Bytes {
  const ifIndex = o.ifIndex ?? 3;
  // ifIndex, ifType, ifSpeed (hyper), ifDirection, ifStatus; in: octets (hyper), 6 counts;
  // out: octets (hyper), 5 counts; promiscuous mode
  const generic = cat(
    words(ifIndex, 6, 0, 1_000_000_000, 1, 3),
    words(0, 123456, 100, 1, 2, 0, 0, 0),
    words(0, 654321, 200, 3, 4, 0, 0),
    words(0),
  );
  const record = cat(words(1, generic.length), generic);
  // sequence number, source id (as type and index when expanded), the records
  const head = o.expanded ? words(1, 0, ifIndex, 1) : words(1, ifIndex, 1);
  const body = cat(head, record);
  return cat(words(o.expanded ? 4 : 2, body.length), body);
}

export interface DatagramOpts {
  samples: Bytes[];
  agent?: string; // IPv4 or IPv6 address of the switch
  subAgent?: number;
  seq?: number;
  uptimeMs?: number;
  version?: number;
}

/** A whole sFlow datagram, as a switch sends it to its collector. */
export function sflowDatagram(o: DatagramOpts): Bytes {
  const agent = o.agent ?? '192.0.2.250';
  const v6 = agent.includes(':');
  return cat(
    words(o.version ?? 5, v6 ? 2 : 1),
    ip(agent),
    words(o.subAgent ?? 0, o.seq ?? 1, o.uptimeMs ?? 3_600_000, o.samples.length),
    ...o.samples,
  );
}

/** The Ethernet/IP/UDP frame that carries `datagram` from a switch to a collector on port 6343. */
export function sflowFrame(datagram: Bytes, o: { agent?: string; collector?: string; dport?: number } = {}): Bytes {
  const agent = o.agent ?? '192.0.2.250';
  const collector = o.collector ?? (agent.includes(':') ? '2001:db8:ff::1' : '192.0.2.251');
  const payload = udp(50000, o.dport ?? 6343, datagram);
  return agent.includes(':')
    ? eth(0x86dd, ipv6({ src: agent, dst: collector, next: 17 }, payload))
    : eth(0x0800, ipv4({ src: agent, dst: collector, proto: 17 }, payload));
}

export interface SflowWalk {
  open: string;
  status: string;
  counterSamples: number;
  samples: Array<Record<string, unknown>>;
}

/**
 * Everything the decoder gives for the datagram (framing 'datagram') or the Ethernet frame
 * carrying one ('frame') in b[off, off+len): how it opened and ended, and each sample's fields.
 */
export function walkSflow(b: Uint8Array, off: number, len: number, framing: 'datagram' | 'frame'): SflowWalk {
  const p = new Packet();
  const reader = new SflowReader();
  let r: number;
  if (framing === 'frame') {
    r = decodeFrame(p, b, off, len, 1);
    if (r === R.SFLOW) r = reader.open(b, p.sflowOff, p.sflowEnd);
  } else r = reader.open(b, off, off + len);
  const samples: Array<Record<string, unknown>> = [];
  if (r === 0)
    for (let s = reader.next(p); s !== SFLOW_END; s = reader.next(p)) {
      if (s !== 0) {
        samples.push({ reason: reasonName(s) });
        continue;
      }
      samples.push({
        reason: 'ok',
        src: ipText(b, p.srcOff, p.ipVersion),
        dst: ipText(b, p.dstOff, p.ipVersion),
        sport: p.sport,
        dport: p.dport,
        flags: p.flags,
        rate: reader.rate,
        window: p.window,
        mss: p.mss,
        ...(p.vlan >= 0 ? { vlan: p.vlan } : {}),
      });
    }
  return {
    open: reasonName(r),
    status: reasonName(r === 0 ? (reader.status === 0 ? R.SFLOW : reader.status) : r),
    counterSamples: reader.counterSamples,
    samples,
  };
}
