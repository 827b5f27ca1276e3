// The view no single method gives: each endpoint of a swept address by which method saw it.
//   dormant       open to the sweep, never seen serving on the mirror (nobody uses it, yet it is open)
//   both          open to the sweep and seen on the mirror
//   passive_only  seen on the mirror, not open to the sweep (filtered or closed to the scanner:
//                 an ACL-restricted exposure, or closed since); only ports the sweep looked at
// Pure: from a sweep's open ports and the mirror's endpoints on the addresses it swept.

import { type EndpointId, endpointKey } from '../../schemas/endpoint.js';
import { type PortSet, sweptPort } from './ports.js';

export type SweepClass = 'dormant' | 'both' | 'passive_only';

export interface Classified extends EndpointId {
  class: SweepClass;
  /** nmap's service name for an open port (its table's guess), else empty */
  service: string;
}

export function classify(
  open: ReadonlyArray<EndpointId & { service: string }>,
  passive: readonly EndpointId[],
  ports: PortSet,
): Classified[] {
  const seen = new Set(passive.map(endpointKey));
  const openKeys = new Set(open.map(endpointKey));
  const out: Classified[] = open.map((e) => ({
    ip: e.ip,
    proto: e.proto,
    port: e.port,
    service: e.service,
    class: seen.has(endpointKey(e)) ? 'both' : 'dormant',
  }));
  for (const e of passive)
    if (!openKeys.has(endpointKey(e)) && sweptPort(ports, e.port))
      out.push({ ip: e.ip, proto: e.proto, port: e.port, service: '', class: 'passive_only' });
  return out;
}
