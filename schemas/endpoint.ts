// An endpoint's identity: server address (canonical text, schemas/ip.ts), protocol and port. The
// key text is the one form used wherever endpoints are held in maps or sets.

export interface EndpointId {
  ip: string;
  proto: string;
  port: number;
}

/** "ip|proto|port": the map key of an endpoint. */
export function endpointKey(e: EndpointId): string {
  return `${e.ip}|${e.proto}|${e.port}`;
}
