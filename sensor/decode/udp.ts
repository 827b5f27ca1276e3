// UDP, followed only into tunnels on their IANA ports (encapsulations.ts): VXLAN (AWS/Azure
// traffic mirroring), VXLAN-GPE, GENEVE (AWS Gateway Load Balancer), GTP-U, CAPWAP data, Teredo,
// L2TP and MPLS. Most are matched on the destination port; those whose server side keeps its
// port both ways (CAPWAP, Teredo, L2TP) on either port, the destination first. With
// DecodeOptions.teredoAnyPort, a datagram on no tunnel port whose payload has Teredo's shape is
// followed too (teredo.ts). Other UDP is non_tcp.
// An sFlow datagram (port 6343) holds many sampled packets, not one: it is returned as `sflow`
// with its place in the Packet, for the packet path to walk (sflow.ts).

import { u16 } from './bytes.js';
import { decodeCapwapData } from './capwap.js';
import { UDP_PORT, udpTunnelPorts } from './encapsulations.js';
import { decodeGeneve } from './geneve.js';
import { decodeGtpu } from './gtpu.js';
import { decodeL2tpUdp } from './l2tp.js';
import { decodeMpls } from './mpls.js';
import { MAX_TUNNELS, type Packet } from './packet.js';
import { R } from './reasons.js';
import { decodeTeredo, looksLikeTeredo } from './teredo.js';
import { decodeVxlan } from './vxlan.js';
import { decodeVxlanGpe } from './vxlan-gpe.js';

const SFLOW_PORT = UDP_PORT.SFLOW;

// by port: 1 = a tunnel on this destination port, 2 = on this port either way
const PORTS = new Uint8Array(65536);
const { dst, both } = udpTunnelPorts();
for (const port of dst) PORTS[port] = 1;
for (const port of both) PORTS[port] = 2;

export function decodeUdp(p: Packet, b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return R.TRUNCATED_UDP;
  let port = u16(b, off + 2);
  if (port === SFLOW_PORT) {
    const len = u16(b, off + 4); // the UDP length, when it is shorter than what was captured
    p.sflowOff = off + 8;
    p.sflowEnd = len >= 8 && off + len < end ? off + len : end;
    return R.SFLOW;
  }
  if (PORTS[port] === 0) {
    const sport = u16(b, off);
    if (PORTS[sport] === 2) port = sport;
    else if (p.teredoAnyPort && looksLikeTeredo(b, off + 8, end, off + u16(b, off + 4))) port = UDP_PORT.TEREDO;
    else return R.NON_TCP;
  }
  if (++p.tunnels > MAX_TUNNELS) return R.ENCAP_TOO_DEEP;
  const o = off + 8;
  // a new UDP tunnel: its port in encapsulations.ts (UDP_PORT and the table) and a case here
  switch (port) {
    case UDP_PORT.VXLAN:
      return decodeVxlan(p, b, o, end);
    case UDP_PORT.VXLAN_GPE:
      return decodeVxlanGpe(p, b, o, end);
    case UDP_PORT.GENEVE:
      return decodeGeneve(p, b, o, end);
    case UDP_PORT.GTPU:
      return decodeGtpu(p, b, o, end);
    case UDP_PORT.CAPWAP_DATA:
      return decodeCapwapData(p, b, o, end);
    case UDP_PORT.TEREDO:
      return decodeTeredo(p, b, o, end);
    case UDP_PORT.L2TP:
      return decodeL2tpUdp(p, b, o, end);
    case UDP_PORT.MPLS:
      return decodeMpls(p, b, o, end);
    default:
      return R.NON_TCP; // a port in the table without a decoder: the decode test catches it
  }
}
