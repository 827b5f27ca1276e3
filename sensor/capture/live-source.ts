// One interface opened through libpcap (the `cap` addon, with patches/cap+0.2.1.patch):
// promiscuous, a kernel BPF filter, a large buffer. Frames carry libpcap's capture time; a read
// error (the interface went down or disappeared) is reported once and ends the frames; pcap_stats
// is read on demand. The only code that touches libpcap. Reopening is live-capture.ts's job.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { errorMessage } from '../../common/errors.js';
import { LINKTYPE } from '../decode/link.js';
import { SensorError } from '../errors.js';
import type { FrameSink } from './capture-parser.js';

/** pcap_stats(): counters since the open, each an unsigned 32-bit number that may wrap. */
export interface PcapStats {
  ps_recv: number;
  ps_drop: number;
  ps_ifdrop: number;
}

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  stats?(): PcapStats; // absent from a build without the patch
  on(ev: 'packet', cb: (nbytes: number, truncated: boolean, sec: number, usec: number) => void): void;
  on(ev: 'error', cb: (err: Error) => void): void;
}

const LINKTYPES: Record<string, number> = {
  ETHERNET: LINKTYPE.ETHERNET,
  NULL: LINKTYPE.NULL,
  RAW: LINKTYPE.RAW,
  LINKTYPE_LINUX_SLL: LINKTYPE.LINUX_SLL,
};

/** Whether this process may open a capture: root, or CAP_NET_RAW in its effective set. */
export function mayCapture(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const eff = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return eff !== undefined && (BigInt(`0x${eff}`) & (1n << 13n)) !== 0n; // CAP_NET_RAW = 13
  } catch {
    return true; // not Linux: let libpcap decide
  }
}

export interface LiveHandle {
  readonly iface: string;
  readonly linktype: number;
  /** Deliver frames to `sink` until close(); `onError` once if reading fails (no frames after it). */
  start(sink: FrameSink, onError: (reason: string) => void): void;
  /** pcap_stats of this open; null once closed. */
  stats(): PcapStats | null;
  close(): void;
}

/** Open `iface`; `filterFor(ethernet)` gives the BPF text for the link type found. */
export function openLive(iface: string, filterFor: (ethernet: boolean) => string, bufferBytes: number): LiveHandle {
  if (process.platform === 'linux' && !existsSync(`/sys/class/net/${iface}`)) {
    throw new SensorError('CAPTURE_OPEN_FAILED', `interface ${iface} does not exist`);
  }
  if (!mayCapture()) {
    throw new SensorError(
      'CAPTURE_OPEN_FAILED',
      `no permission to capture on ${iface}: run as root or grant CAP_NET_RAW and CAP_NET_ADMIN`,
    );
  }
  const require = createRequire(import.meta.url);
  const { Cap } = require('cap') as { Cap: new () => CapHandle };
  const cap = new Cap();
  if (typeof cap.stats !== 'function') {
    throw new SensorError(
      'CAPTURE_OPEN_FAILED',
      'the cap addon was built without patches/cap+0.2.1.patch (no capture errors, drop counters or timestamps): run npm install',
    );
  }
  const buf = Buffer.alloc(65535);
  let lt: string;
  try {
    lt = cap.open(iface, filterFor(true), bufferBytes, buf);
  } catch (err) {
    // vlan/mpls/pppoes are Ethernet-only in libpcap: other links get the plain filter
    if (!/not supported|only supported|no VLAN|MPLS|PPPoE/i.test(errorMessage(err))) throw openError(iface, err);
    try {
      lt = cap.open(iface, filterFor(false), bufferBytes, buf);
    } catch (err2) {
      throw openError(iface, err2);
    }
  }
  const linktype = LINKTYPES[lt];
  if (linktype === undefined) {
    cap.close();
    throw new SensorError('CAPTURE_OPEN_FAILED', `${iface}: link type ${lt} is not supported for live capture`);
  }
  let closed = false;
  // until start(), an error is only remembered (the addon emits it on a later turn of the loop)
  let failed: string | null = null;
  let onFail: ((reason: string) => void) | null = null;
  cap.on('error', (err) => {
    failed = err.message;
    onFail?.(failed);
  });
  return {
    iface,
    linktype,
    start(sink, onError) {
      cap.on('packet', (nbytes, _truncated, sec, usec) => sink(buf, 0, nbytes, sec, usec * 1000, linktype));
      onFail = onError;
      if (failed !== null) onError(failed);
    },
    stats() {
      if (closed) return null;
      try {
        return cap.stats!();
      } catch {
        return null;
      }
    },
    close() {
      if (!closed) cap.close();
      closed = true;
    },
  };
}

function openError(iface: string, err: unknown): SensorError {
  const msg = errorMessage(err);
  let text: string;
  if (/No such device|doesn't exist|does not exist/i.test(msg)) text = `interface ${iface} does not exist`;
  else if (/permission|not permitted/i.test(msg)) {
    text = `no permission to capture on ${iface}: run as root or grant CAP_NET_RAW and CAP_NET_ADMIN`;
  } else if (/not up/i.test(msg)) text = `interface ${iface} is down: bring it up (porthole prepare-mirror ${iface})`;
  else if (/syntax|filter/i.test(msg)) text = `capture filter rejected on ${iface}: ${msg}`;
  else text = `cannot capture on ${iface}: ${msg}`;
  return new SensorError('CAPTURE_OPEN_FAILED', text, { cause: err });
}
