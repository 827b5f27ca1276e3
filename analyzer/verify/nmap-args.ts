// nmap's argument arrays, for one verification run and for one sweep block: every value
// validated, every target in scope (scope.ts), targets after `--`, no shell. SYN scan when root, connect scan otherwise; -Pn (the mirror already proved the host
// is up), -n (no DNS), a small --host-timeout (a port that accepts and stays silent otherwise
// holds -sV for minutes), XML on stdout. With a source address, -S makes every probe leave from
// it: a connect scan with --unprivileged, because a privileged nmap lets -sV's version scripts
// (rpc-grind) bind a reserved port on any address, escaping -S (captured: docs/verification.md).

import { canonicalIp } from '../../schemas/ip.js';
import { AnalyzerError } from '../errors.js';
import type { Cidr } from '../policy.js';
import { requireInScope } from './scope.js';

export interface NmapRun {
  ip: string;
  ports: number[];
  scan: 'syn' | 'connect';
  hostTimeoutMs: number;
  versionIntensity: number;
  maxRetries: number;
  /** the scanner's own address of the target's family (verify.sourceAddresses), or none */
  source?: string;
}

export function nmapArgs(r: NmapRun): string[] {
  const ip = canonicalIp(r.ip);
  if (!ip || ip !== r.ip)
    throw new AnalyzerError('BAD_ADDRESS', `refusing to scan a non-canonical address: ${JSON.stringify(r.ip)}`);
  if (r.ports.length === 0 || r.ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    throw new AnalyzerError('BAD_ADDRESS', `bad port list: ${JSON.stringify(r.ports)}`);
  }
  if (!Number.isInteger(r.versionIntensity) || r.versionIntensity < 0 || r.versionIntensity > 9)
    throw new AnalyzerError('BAD_ADDRESS', 'version intensity must be 0..9');
  checkSource(r.source, ip.includes(':'), r.scan);
  const secs = Math.max(1, Math.ceil(r.hostTimeoutMs / 1000));
  return [
    r.scan === 'syn' ? '-sS' : '-sT',
    '-sV',
    '--version-intensity',
    String(r.versionIntensity),
    '-Pn',
    '-n',
    '--host-timeout',
    `${secs}s`,
    '--max-retries',
    String(r.maxRetries),
    '-p',
    [...new Set(r.ports)].sort((a, b) => a - b).join(','),
    '-oX',
    '-',
    ...(ip.includes(':') ? ['-6'] : []),
    ...(r.source ? ['--unprivileged', '-S', r.source] : []),
    '--',
    ip,
  ];
}

function checkSource(source: string | undefined, v6: boolean, scan: 'syn' | 'connect'): void {
  if (source === undefined) return;
  if (canonicalIp(source) !== source || source.includes(':') !== v6)
    throw new AnalyzerError('BAD_ADDRESS', `bad source address: ${JSON.stringify(source)}`);
  if (scan !== 'connect') throw new AnalyzerError('BAD_ADDRESS', 'a source address needs a connect scan');
}

/** One sweep block's nmap run: many addresses of one family, no -sV, the sweep's tuning. */
export interface SweepRun {
  ips: string[];
  /** checked again here for every address: none outside is ever put on the command line */
  allowed: Cidr[];
  /** nmap's port arguments (sweep/ports.ts portArgs) */
  ports: string[];
  scan: 'syn' | 'connect';
  /** false: -Pn, every address is scanned as if up */
  hostDiscovery: boolean;
  hostTimeoutMs: number;
  maxRetries: number;
  minHostGroup: number;
  maxHostGroup: number;
  /** packets per second; 0: nmap decides */
  minRate: number;
  maxRate: number;
  source?: string;
}

export function sweepArgs(r: SweepRun): string[] {
  if (r.ips.length === 0) throw new AnalyzerError('BAD_ADDRESS', 'a sweep block without addresses');
  const v6 = r.ips[0].includes(':');
  for (const ip of r.ips) {
    if (canonicalIp(ip) !== ip)
      throw new AnalyzerError('BAD_ADDRESS', `refusing to scan a non-canonical address: ${JSON.stringify(ip)}`);
    if (ip.includes(':') !== v6) throw new AnalyzerError('BAD_ADDRESS', 'a sweep block mixes IPv4 and IPv6');
    requireInScope(ip, r.allowed);
  }
  checkSource(r.source, v6, r.scan);
  const n = (x: number, what: string): string => {
    if (!Number.isInteger(x) || x < 0) throw new AnalyzerError('BAD_ADDRESS', `bad ${what}: ${x}`);
    return String(x);
  };
  return [
    r.scan === 'syn' ? '-sS' : '-sT',
    ...(r.hostDiscovery ? [] : ['-Pn']),
    '-n',
    ...r.ports,
    '--host-timeout',
    `${Math.max(1, Math.ceil(r.hostTimeoutMs / 1000))}s`,
    '--max-retries',
    n(r.maxRetries, 'retries'),
    '--min-hostgroup',
    n(r.minHostGroup, 'host group'),
    '--max-hostgroup',
    n(r.maxHostGroup, 'host group'),
    ...(r.minRate ? ['--min-rate', n(r.minRate, 'rate')] : []),
    ...(r.maxRate ? ['--max-rate', n(r.maxRate, 'rate')] : []),
    '-oX',
    '-',
    ...(v6 ? ['-6'] : []),
    ...(r.source ? ['--unprivileged', '-S', r.source] : []),
    '--',
    ...r.ips,
  ];
}
