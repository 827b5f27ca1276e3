// UDP, followed only into mirror tunnels on their IANA ports: VXLAN (4789, AWS/Azure traffic
// mirroring), GENEVE (6081, AWS Gateway Load Balancer) and GTP-U (2152). Other UDP is non_tcp.

import { u16 } from './bytes.js';
import { decodeGeneve } from './geneve.js';
import { decodeGtpu } from './gtpu.js';
import { MAX_TUNNELS, type Packet } from './packet.js';
import { R } from './reasons.js';
import { decodeVxlan } from './vxlan.js';

export const VXLAN_PORT = 4789;
export const GENEVE_PORT = 6081;
export const GTPU_PORT = 2152;

export function decodeUdp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_UDP;
  const dport = u16(b, off + 2);
  if (dport !== VXLAN_PORT && dport !== GENEVE_PORT && dport !== GTPU_PORT) return R.NON_TCP;
  if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
  if (dport === VXLAN_PORT) return decodeVxlan(p, b, off + 8, end);
  if (dport === GENEVE_PORT) return decodeGeneve(p, b, off + 8, end);
  return decodeGtpu(p, b, off + 8, end);
}
