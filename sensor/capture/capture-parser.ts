// Streaming reader for capture files: classic pcap (microsecond and nanosecond, either byte
// order) and pcapng (several sections and interfaces, per-interface link type, if_tsresol and
// if_tsoffset; blocks other than packets skipped). Pure: bytes are pushed in chunks of any
// size and frames come out through a callback; memory is one chunk plus one partial record.

import { u16, u16le, u32, u32le } from '../decode/bytes.js';
import { SensorError } from '../errors.js';

/**
 * One captured frame: `caplen` bytes of `b` from `off` (valid only during the call), captured at
 * `sec` seconds and `nsec` nanoseconds since the epoch. The time travels as two integers, not as
 * milliseconds: a fractional number passed to a function the compiler did not inline is boxed
 * into a new heap object, one per frame (see benchmarks/README.md). `frameMs` makes the
 * milliseconds where needed.
 */
export type FrameSink = (
  b: Uint8Array,
  off: number,
  caplen: number,
  sec: number,
  nsec: number,
  linktype: number,
) => void;

/** A frame's time in milliseconds (fractional) since the epoch. */
export function frameMs(sec: number, nsec: number): number {
  return sec * 1000 + nsec / 1e6;
}

export type CaptureFormat = 'pcap' | 'pcapng';

interface Iface {
  linktype: number;
  snaplen: number;
  unitsPerSec: number; // timestamp resolution
  offsetSec: number; // if_tsoffset
}

const PCAPNG_SHB = 0x0a0d0d0a;
const MAX_RECORD = 64 * 1024 * 1024; // larger than any real frame: a corrupt length

export class CaptureParser {
  format: CaptureFormat | null = null;
  frames = 0;
  bytes = 0; // bytes consumed as complete records/blocks
  private pending: Buffer | null = null;
  private le = false;
  private nsec = false;
  private linktype = 0;
  private ifaces: Iface[] = [];
  private lastSec = 0; // the last enhanced packet's time, for simple packets (which have none)
  private lastNsec = 0;

  constructor(private readonly sink: FrameSink) {}

  /** Linktypes seen so far (pcapng may have several). */
  linktypes(): number[] {
    return this.format === 'pcap' ? [this.linktype] : [...new Set(this.ifaces.map((i) => i.linktype))];
  }

  /** Parse a chunk; an incomplete last record is kept and completed by the next chunk. */
  push(chunk: Buffer): void {
    const b = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const used = this.feed(b);
    this.pending = used < b.length ? Buffer.from(b.subarray(used)) : null;
  }

  /**
   * Parse the complete records at the start of `b` and return how many bytes they took; the
   * caller keeps the rest and passes it again, followed by more bytes (no copy made here).
   */
  feed(b: Buffer): number {
    let pos = 0;
    if (this.format === null) {
      if (b.length < 24) return 0;
      pos = this.header(b);
    }
    pos = this.format === 'pcap' ? this.records(b, pos) : this.blocks(b, pos);
    this.bytes += pos;
    return pos;
  }

  /** End of input with `left` unparsed bytes (default: what push() kept). Returns that count. */
  end(left = this.pending?.length ?? 0): number {
    if (this.format === null) {
      throw new SensorError(
        'NOT_A_CAPTURE',
        left === 0 ? 'empty input, not a capture file' : 'too short to be a capture file',
      );
    }
    this.pending = null;
    return left;
  }

  private header(b: Buffer): number {
    const be = u32(b, 0);
    const le = u32le(b, 0);
    if (be === 0xa1b2c3d4 || le === 0xa1b2c3d4 || be === 0xa1b23c4d || le === 0xa1b23c4d) {
      this.format = 'pcap';
      this.le = le === 0xa1b2c3d4 || le === 0xa1b23c4d;
      this.nsec = be === 0xa1b23c4d || le === 0xa1b23c4d;
      this.linktype = (this.le ? u32le(b, 20) : u32(b, 20)) & 0x0fffffff; // top bits: FCS length
      return 24;
    }
    if (be === PCAPNG_SHB) {
      this.format = 'pcapng';
      return 0;
    }
    throw new SensorError('NOT_A_CAPTURE', 'not a pcap or pcapng file (unknown magic number)');
  }

  private records(b: Buffer, pos: number): number {
    const le = this.le;
    const nsPerFrac = this.nsec ? 1 : 1000;
    const lt = this.linktype;
    const sink = this.sink;
    while (b.length - pos >= 16) {
      const incl = le ? u32le(b, pos + 8) : u32(b, pos + 8);
      if (incl > MAX_RECORD) {
        throw new SensorError('CAPTURE_CORRUPT', `corrupt record at byte ${this.bytes + pos}: length ${incl}`);
      }
      if (b.length - pos - 16 < incl) break;
      const sec = le ? u32le(b, pos) : u32(b, pos);
      const frac = le ? u32le(b, pos + 4) : u32(b, pos + 4);
      this.frames++;
      sink(b, pos + 16, incl, sec, frac * nsPerFrac, lt);
      pos += 16 + incl;
    }
    return pos;
  }

  private r32(b: Buffer, o: number): number {
    return this.le ? u32le(b, o) : u32(b, o);
  }

  private r16(b: Buffer, o: number): number {
    return this.le ? u16le(b, o) : u16(b, o);
  }

  private blocks(b: Buffer, pos: number): number {
    while (b.length - pos >= 12) {
      const type = u32(b, pos); // the SHB type reads the same in both orders
      if (type === PCAPNG_SHB) {
        const bom = u32le(b, pos + 8);
        if (bom === 0x1a2b3c4d) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else throw new SensorError('CAPTURE_CORRUPT', `bad pcapng byte-order magic at byte ${this.bytes + pos}`);
      }
      const len = this.r32(b, pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
        throw new SensorError('CAPTURE_CORRUPT', `corrupt pcapng block at byte ${this.bytes + pos}: length ${len}`);
      }
      if (b.length - pos < len) break;
      this.block(b, pos, len, type === PCAPNG_SHB ? type : this.r32(b, pos));
      pos += len;
    }
    return pos;
  }

  private block(b: Buffer, pos: number, len: number, type: number): void {
    switch (type) {
      case PCAPNG_SHB:
        this.ifaces = [];
        return;
      case 1: // interface description
        this.ifaces.push(this.iface(b, pos, len));
        return;
      case 6: // enhanced packet
      case 2: {
        // obsolete packet block: 16-bit interface id
        const id = type === 6 ? this.r32(b, pos + 8) : this.r16(b, pos + 8);
        const ifc = this.ifaces[id];
        if (!ifc)
          throw new SensorError('CAPTURE_CORRUPT', `packet for undeclared interface ${id} at byte ${this.bytes + pos}`);
        const units = this.r32(b, pos + 12) * 4294967296 + this.r32(b, pos + 16);
        const cap = Math.min(this.r32(b, pos + 20), len - 32);
        const sec = Math.floor(units / ifc.unitsPerSec);
        this.lastSec = sec + ifc.offsetSec;
        this.lastNsec = Math.floor(((units - sec * ifc.unitsPerSec) * 1e9) / ifc.unitsPerSec);
        this.frames++;
        this.sink(b, pos + 28, cap, this.lastSec, this.lastNsec, ifc.linktype);
        return;
      }
      case 3: {
        // simple packet: interface 0, no timestamp (the previous one is reused)
        const ifc = this.ifaces[0];
        if (!ifc)
          throw new SensorError('CAPTURE_CORRUPT', `simple packet before any interface at byte ${this.bytes + pos}`);
        let cap = Math.min(this.r32(b, pos + 8), len - 16);
        if (ifc.snaplen > 0) cap = Math.min(cap, ifc.snaplen);
        this.frames++;
        this.sink(b, pos + 12, cap, this.lastSec, this.lastNsec, ifc.linktype);
        return;
      }
      default:
        return; // name resolution, statistics, custom, decryption secrets…
    }
  }

  private iface(b: Buffer, pos: number, len: number): Iface {
    const ifc: Iface = {
      linktype: this.r16(b, pos + 8),
      snaplen: this.r32(b, pos + 12),
      unitsPerSec: 1e6,
      offsetSec: 0,
    };
    let o = pos + 16;
    const end = pos + len - 4;
    while (end - o >= 4) {
      const code = this.r16(b, o);
      const olen = this.r16(b, o + 2);
      if (code === 0 || o + 4 + olen > end) break;
      if (code === 9 && olen >= 1) {
        const v = b[o + 4];
        ifc.unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      } else if (code === 14 && olen >= 8) {
        const hi = this.r32(b, o + (this.le ? 8 : 4));
        const lo = this.r32(b, o + (this.le ? 4 : 8));
        ifc.offsetSec = hi * 4294967296 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    return ifc;
  }
}
