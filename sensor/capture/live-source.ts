// Live capture through libpcap (the `cap` addon): opens an interface in promiscuous mode with a
// kernel BPF filter and a large buffer, as a PacketSource whose frames go to the sink given to
// run() until stop(). The only code that touches libpcap. Limits: `cap` gives no packet timestamps (arrival time in JS is used) and no
// kernel drop counters (pcap_stats is not exposed), see docs/operations.md.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { errorMessage } from '../../common/errors.js';
import { LINKTYPE } from '../decode/link.js';
import { SensorError } from '../errors.js';
import type { PacketSource } from './packet-source.js';

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(ev: 'packet', cb: (nbytes: number, truncated: boolean) => void): void;
}

const LINKTYPES: Record<string, number> = {
  ETHERNET: LINKTYPE.ETHERNET,
  NULL: LINKTYPE.NULL,
  RAW: LINKTYPE.RAW,
  LINKTYPE_LINUX_SLL: LINKTYPE.LINUX_SLL,
};

// `cap` leaves a half-initialised handle behind when opening fails after pcap_create (no
// permission, interface down); destroying it later aborts the process (uv_poll_stop on a poll
// handle never started). Failed handles are therefore kept referenced so they are never collected.
const failedHandles: CapHandle[] = [];

/** Whether this process may open a capture: root, or CAP_NET_RAW in its effective set. */
function mayCapture(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const eff = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return eff !== undefined && (BigInt(`0x${eff}`) & (1n << 13n)) !== 0n; // CAP_NET_RAW = 13
  } catch {
    return true; // not Linux: let libpcap decide
  }
}

export interface LiveSource extends PacketSource<null> {
  linktype: number;
}

/**
 * Open `iface`; `filterFor(ethernet)` gives the BPF text for the link type found. Frames that
 * arrive before run() is called are not delivered (run() in the same tick loses none).
 */
export function openLive(iface: string, filterFor: (ethernet: boolean) => string, bufferBytes: number): LiveSource {
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
  const buf = Buffer.alloc(65535);
  let lt: string;
  try {
    lt = cap.open(iface, filterFor(true), bufferBytes, buf);
  } catch (err) {
    const msg = errorMessage(err);
    // vlan/mpls/pppoes are Ethernet-only in libpcap: other links get the plain filter
    if (/not supported|only supported|no VLAN|MPLS|PPPoE/i.test(msg)) {
      try {
        lt = cap.open(iface, filterFor(false), bufferBytes, buf);
      } catch (err2) {
        failedHandles.push(cap);
        throw openError(iface, err2);
      }
    } else {
      failedHandles.push(cap);
      throw openError(iface, err);
    }
  }
  const linktype = LINKTYPES[lt];
  if (linktype === undefined) {
    cap.close();
    throw new SensorError('CAPTURE_OPEN_FAILED', `${iface}: link type ${lt} is not supported for live capture`);
  }
  let stopped: (() => void) | null = null;
  const ended = new Promise<null>((r) => (stopped = () => r(null)));
  let closed = false;
  return {
    name: `iface:${iface}`,
    live: true,
    linktype,
    run(sink) {
      cap.on('packet', (nbytes) => {
        const now = Date.now(); // `cap` does not pass the capture header's time
        sink(buf, 0, nbytes, Math.floor(now / 1000), (now % 1000) * 1e6, linktype);
      });
      return ended;
    },
    stop() {
      if (!closed) cap.close();
      closed = true;
      stopped?.();
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
