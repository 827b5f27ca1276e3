// nmap's XML output (-oX -) to per-port results (one host: a verification; many: a sweep
// block), with fast-xml-parser. Pure. A host that timed
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
  isArray: (name) => ['host', 'port', 'cpe', 'hosthint', 'address'].includes(name),
});

const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function portsOf(host: Record<string, unknown>): PortResult[] {
  return arr((host.ports as { port?: unknown } | undefined)?.port as Array<Record<string, unknown>> | undefined).map(
    (p) => {
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
    },
  );
}

export function parseNmapXml(xml: string): NmapResult {
  const doc = parser.parse(xml) as { nmaprun?: { host?: Array<Record<string, unknown>>; runstats?: unknown } };
  const run = doc.nmaprun;
  if (!run) throw new AnalyzerError('NMAP_FAILED', 'not nmap XML output');
  const host = arr(run.host)[0];
  if (!host) return { ports: [], timedOut: true, hostState: null };
  const status = host.status as { state?: string } | undefined;
  const ports = portsOf(host);
  // with --host-timeout nmap still prints the host, without a <ports> element
  return { ports, timedOut: host.ports === undefined, hostState: status?.state ?? null };
}

/** One host of a multi-host run (a sweep block). */
export interface HostResult {
  ip: string;
  /** nmap's host state (up, down) */
  state: string;
  /** cut by --host-timeout: its ports are not known */
  timedOut: boolean;
  /** smoothed round-trip time, microseconds (0: unknown) */
  rttUs: number;
  ports: PortResult[];
}

/** Every host nmap reported (hosts found down with host discovery on are not reported). */
export function parseNmapHosts(xml: string): HostResult[] {
  const doc = parser.parse(xml) as { nmaprun?: { host?: Array<Record<string, unknown>> } | '' };
  // an empty <nmaprun> (nothing up, nothing reported) parses to ''
  if (doc.nmaprun === undefined) throw new AnalyzerError('NMAP_FAILED', 'not nmap XML output');
  return arr(doc.nmaprun || undefined)
    .flatMap((run) => arr(run.host))
    .flatMap((host) => {
      const addr = arr(host.address as Record<string, string> | Array<Record<string, string>> | undefined).find(
        (a) => a.addrtype === 'ipv4' || a.addrtype === 'ipv6',
      );
      if (!addr) return [];
      const status = (host.status ?? {}) as { state?: string };
      const times = (host.times ?? {}) as { srtt?: string };
      return [
        {
          ip: addr.addr,
          state: status.state ?? 'unknown',
          timedOut: host.ports === undefined && status.state === 'up',
          rttUs: Number(times.srtt ?? 0) || 0,
          ports: portsOf(host),
        },
      ];
    });
}
