// Whether a capture interface has the offloads on that make libpcap give every ring slot room for
// a 64 KiB frame. In immediate mode (which `cap` sets) libpcap uses TPACKET_V2, whose slots have
// one fixed size: for Ethernet, MTU + 18 bytes, unless any of TSO, UFO, GSO, GRO or LRO is on,
// then 65535 + 18 (pcap-linux.c, create_ring; immediate mode means TPACKET_V2 there, since
// TPACKET_V3 always buffers). The buffer then holds some forty times fewer frames, and a short
// stall of the sensor drops packets (the live benchmark's losses: benchmarks/README.md).

import { spawnSync } from 'node:child_process';

const FEATURES = [
  'tcp-segmentation-offload',
  'udp-fragmentation-offload',
  'generic-segmentation-offload',
  'generic-receive-offload',
  'large-receive-offload',
];

/** The ring-slot-widening offloads that `ethtool -k` output shows on (pure). */
export function offloadsOn(ethtoolK: string): string[] {
  const on: string[] = [];
  for (const line of ethtoolK.split('\n')) {
    const m = /^([a-z-]+): on\b/.exec(line); // top-level features only: sub-features are indented
    if (m && FEATURES.includes(m[1])) on.push(m[1]);
  }
  return on;
}

/** The offloads on for `iface`, or null when ethtool is missing or cannot tell. */
export function readOffloads(iface: string): string[] | null {
  const r = spawnSync('ethtool', ['-k', iface], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? offloadsOn(r.stdout) : null;
}

/** About how many frames a capture buffer holds when every slot is sized for 64 KiB. */
export function framesWithOffloads(bufferBytes: number): number {
  return Math.floor(bufferBytes / (65536 + 128));
}
