// sFlow version 5 datagrams (sflow.org/sflow_version_5.txt), as switches send them to a collector:
// flow samples (format 1, and expanded format 3) carry the first bytes of sampled packets in raw
// packet header records (format 1), decoded by the same decoders as captured frames (header
// protocol 1 Ethernet, 11 IPv4, 12 IPv6; others are unsupported_linktype). Counter samples
// (formats 2 and 4) and every other sample or record are skipped by their length. One datagram
// holds many samples: SflowReader walks them, one sampled header per next(). Every length and
// count is checked against the end of its enclosing structure before it is used, and the first
// bad one ends the walk: nothing after it is trusted. A sampled header that is itself an sFlow
// datagram is not followed (non_tcp). Pure: no I/O, no allocation, never throws on bytes.

import { u32 } from './bytes.js';
import { decodeFrame } from './decode.js';
import { LINKTYPE } from './link.js';
import type { Packet } from './packet.js';
import { R } from './reasons.js';

/** The link type of a frame that is a whole sFlow datagram (the sFlow source's); no capture file can hold it. */
export const SFLOW_DATAGRAM = -1;
/** next(): the datagram has no more samples. */
export const SFLOW_END = -1;

const FLOW_SAMPLE = 1;
const COUNTER_SAMPLE = 2;
const FLOW_SAMPLE_EXPANDED = 3;
const COUNTER_SAMPLE_EXPANDED = 4;
const RAW_PACKET_HEADER = 1;
const HEADER_ETHERNET = 1;
const HEADER_IPV4 = 11;
const HEADER_IPV6 = 12;

const EMPTY = new Uint8Array(0);
/** record(): a flow record that is no packet header (extended switch or router data…). */
const SKIP = -2;

/** XDR opaque data is padded to 4 bytes. */
const pad4 = (n: number): number => (n + 3) & ~3;

export class SflowReader {
  /** the sampling rate (1 in `rate` packets) of the sample the last next() came from */
  rate = 0;
  /** after next() gave SFLOW_END: 0 when the whole datagram was read, else the reason it was cut short */
  status = 0;
  /** counter samples skipped in this datagram */
  counterSamples = 0;
  private b: Uint8Array = EMPTY;
  private end = 0; // the datagram's end
  private o = 0; // the next sample
  private samplesLeft = 0;
  private r = 0; // the next flow record of the current flow sample
  private sampleEnd = 0;
  private recordsLeft = 0;

  /** Start on the datagram in b[off, end): 0, or the reason it cannot be read (then next() ends). */
  open(b: Uint8Array, off: number, end: number): number {
    this.b = b;
    this.end = Math.min(end, b.length);
    this.samplesLeft = 0;
    this.recordsLeft = 0;
    this.counterSamples = 0;
    this.rate = 0;
    this.status = 0;
    end = this.end;
    if (end - off < 8) return this.refuse(R.TRUNCATED_SFLOW);
    if (u32(b, off) !== 5) return this.refuse(R.BAD_SFLOW_VERSION);
    const type = u32(b, off + 4); // agent address: 0 unknown (none), 1 IPv4, 2 IPv6
    if (type > 2) return this.refuse(R.BAD_SFLOW_RECORD);
    const h = off + 8 + (type === 0 ? 0 : type === 1 ? 4 : 16) + 16; // sub-agent, sequence, uptime, samples
    if (h > end) return this.refuse(R.TRUNCATED_SFLOW);
    this.samplesLeft = u32(b, h - 4);
    this.o = h;
    return 0;
  }

  /**
   * The next sampled packet header, decoded into `p`: 0 when it holds a TCP segment, else the
   * reason it does not (as decodeFrame's); SFLOW_END when the datagram has no more (`status`).
   */
  next(p: Packet): number {
    try {
      for (;;) {
        if (this.recordsLeft > 0) {
          const r = this.record(p);
          if (r !== SKIP) return r;
        } else if (this.samplesLeft > 0) {
          this.sample();
        } else {
          return SFLOW_END;
        }
      }
    } catch {
      // unreachable by construction (every read is bounds-checked), as in decode.ts; the fuzz test
      // asserts it stays at zero
      this.fail(R.DECODER_BUG);
      return R.DECODER_BUG;
    }
  }

  /** Step over the next sample, entering it when it is a flow sample. */
  private sample(): void {
    const b = this.b;
    const o = this.o;
    if (this.end - o < 8) {
      this.fail(R.TRUNCATED_SFLOW); // fewer samples than the datagram says
      return;
    }
    const format = u32(b, o); // enterprise << 12 | format; enterprise 0 is sFlow's own
    const len = u32(b, o + 4);
    const body = o + 8;
    if (len > this.end - body) {
      this.fail(R.BAD_SFLOW_RECORD);
      return;
    }
    this.samplesLeft--;
    this.o = Math.min(body + pad4(len), this.end);
    let rateAt: number;
    let header: number;
    if (format === FLOW_SAMPLE) {
      rateAt = 8;
      header = 32;
    } else if (format === FLOW_SAMPLE_EXPANDED) {
      rateAt = 12;
      header = 44;
    } else {
      if (format === COUNTER_SAMPLE || format === COUNTER_SAMPLE_EXPANDED) this.counterSamples++;
      return;
    }
    const rate = len >= header ? u32(b, body + rateAt) : 0;
    if (rate === 0) {
      this.fail(R.BAD_SFLOW_RECORD); // too short for its fields, or a rate that means nothing
      return;
    }
    this.rate = rate;
    this.recordsLeft = u32(b, body + header - 4);
    this.r = body + header;
    this.sampleEnd = body + len;
  }

  /** The next flow record of the current flow sample: a decoded header, an error, or SKIP. */
  private record(p: Packet): number {
    const b = this.b;
    const r = this.r;
    if (this.sampleEnd - r < 8) return this.fail(R.BAD_SFLOW_RECORD); // fewer records than the sample says
    const format = u32(b, r);
    const len = u32(b, r + 4);
    const body = r + 8;
    if (len > this.sampleEnd - body) return this.fail(R.BAD_SFLOW_RECORD);
    this.recordsLeft--;
    this.r = Math.min(body + pad4(len), this.sampleEnd);
    if (format !== RAW_PACKET_HEADER) return SKIP;
    if (len < 16) return this.fail(R.BAD_SFLOW_RECORD);
    const proto = u32(b, body);
    const hlen = u32(b, body + 12);
    if (hlen > len - 16) return this.fail(R.BAD_SFLOW_RECORD);
    let linktype: number;
    if (proto === HEADER_ETHERNET) linktype = LINKTYPE.ETHERNET;
    else if (proto === HEADER_IPV4 || proto === HEADER_IPV6) linktype = LINKTYPE.RAW;
    else return R.UNSUPPORTED_LINKTYPE;
    const res = decodeFrame(p, b, body + 16, hlen, linktype);
    return res === R.SFLOW ? R.NON_TCP : res;
  }

  /** End the walk with `reason`; SFLOW_END, for next() to return. */
  private fail(reason: number): number {
    this.status = reason;
    this.samplesLeft = 0;
    this.recordsLeft = 0;
    return SFLOW_END;
  }

  /** open(): the datagram cannot be read at all, for `reason`. */
  private refuse(reason: number): number {
    this.fail(reason);
    return reason;
  }
}
