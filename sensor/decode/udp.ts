// UDP, followed only into mirror tunnels on their IANA ports (encapsulations.ts): VXLAN (AWS/Azure
// traffic mirroring), GENEVE (AWS Gateway Load Balancer) and GTP-U. Other UDP is non_tcp.
// An sFlow datagram (port 6343) holds many sampled packets, not one: it is returned as `sflow`
// with its place in the Packet, for the packet path to walk (sflow.ts).

import { u16 } from './bytes.js';
import { UDP_PORT } from './encapsulations.js';
import { decodeGeneve } from './geneve.js';
import { decodeGtpu } from './gtpu.js';
import { MAX_TUNNELS, type Packet } from './packet.js';
import { R } from './reasons.js';
import { decodeVxlan } from './vxlan.js';

const VXLAN_PORT = UDP_PORT.VXLAN;
const GENEVE_PORT = UDP_PORT.GENEVE;
const GTPU_PORT = UDP_PORT.GTPU;
const SFLOW_PORT = UDP_PORT.SFLOW;

export function decodeUdp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_UDP;
  const dport = u16(b, off + 2);
  if (dport === SFLOW_PORT) {
    const len = u16(b, off + 4); // the UDP length, when it is shorter than what was captured
    p.sflowOff = off + 8;
    p.sflowEnd = len >= 8 && off + len < end ? off + len : end;
    return R.SFLOW;
  }
  if (dport !== VXLAN_PORT && dport !== GENEVE_PORT && dport !== GTPU_PORT) return R.NON_TCP;
  if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
  if (dport === VXLAN_PORT) return decodeVxlan(p, b, off + 8, end);
  if (dport === GENEVE_PORT) return decodeGeneve(p, b, off + 8, end);
  return decodeGtpu(p, b, off + 8, end);
}
