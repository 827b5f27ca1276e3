// nmap's XML output (-oX -) to per-port results, with fast-xml-parser. Pure. A host that timed
// out (--host-timeout) has no <ports>; that is reported as timedOut so the caller can retry it
// apart with a longer timeout.

import { XMLParser } from 'fast-xml-parser';
import { AnalyzerError } from '../errors.js';

export interface PortResult {
  port: number;
  proto: string;
  state: string; // open | closed | filtered | open|filtered | unfiltered | closed|filtered
  reason: string;
  service: string;
  product: string;
  version: string;
  extrainfo: string;
  cpe: string[];
}

export interface NmapResult {
  ports: PortResult[];
  timedOut: boolean;
  hostState: string | null;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['host', 'port', 'cpe', 'hosthint'].includes(name),
});

const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function parseNmapXml(xml: string): NmapResult {
  const doc = parser.parse(xml) as { nmaprun?: { host?: Array<Record<string, unknown>>; runstats?: unknown } };
  const run = doc.nmaprun;
  if (!run) throw new AnalyzerError('NMAP_FAILED', 'not nmap XML output');
  const host = arr(run.host)[0];
  if (!host) return { ports: [], timedOut: true, hostState: null };
  const status = host.status as { state?: string } | undefined;
  const ports = arr(
    (host.ports as { port?: unknown } | undefined)?.port as Array<Record<string, unknown>> | undefined,
  ).map((p) => {
    const st = (p.state ?? {}) as Record<string, string>;
    const sv = (p.service ?? {}) as Record<string, unknown>;
    return {
      port: Number(p.portid),
      proto: String(p.protocol ?? 'tcp'),
      state: st.state ?? 'unknown',
      reason: st.reason ?? '',
      service: String(sv.name ?? ''),
      product: String(sv.product ?? ''),
      version: String(sv.version ?? ''),
      extrainfo: String(sv.extrainfo ?? ''),
      cpe: arr(sv.cpe as string | string[] | undefined).map(String),
    };
  });
  // with --host-timeout nmap still prints the host, without a <ports> element
  return { ports, timedOut: host.ports === undefined, hostState: status?.state ?? null };
}
