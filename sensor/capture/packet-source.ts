// The one seam between where frames come from and the packet path: an interface (live-source.ts)
// and a capture file or stdin (file-source.ts) both open as a PacketSource, and the pipeline
// (`FrameSink`) does not know which one feeds it. Opening happens while still privileged;
// frames flow once `run` is called.

import type { FrameSink } from './capture-parser.js';

export interface PacketSource<Result = unknown> {
  /** "iface:NAME" (several comma-separated) or "pcap:PATH": what the status messages name as the source */
  readonly name: string;
  /** interfaces: frames carry the kernel's capture time, and only stop() (or a lost interface) ends the input */
  readonly live: boolean;
  /** Hand every frame to `sink` until the input ends (a file read to its end, or stop()). */
  run(sink: FrameSink): Promise<Result>;
  /** End the input of an interface (closing the capture); a file is always read to its end. */
  stop(): void;
}
