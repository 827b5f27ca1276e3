// nmap's argument array for one verification run: every value validated, targets after `--`,
// no shell. SYN scan when root, connect scan otherwise; -Pn (the mirror already proved the host
// is up), -n (no DNS), a small --host-timeout (a port that accepts and stays silent otherwise
// holds -sV for minutes), XML on stdout. With a source address, -S makes every probe leave from
// it: a connect scan with --unprivileged, because a privileged nmap lets -sV's version scripts
// (rpc-grind) bind a reserved port on any address, escaping -S (captured: docs/verification.md).

import { canonicalIp } from '../../schemas/ip.js';
import { AnalyzerError } from '../errors.js';

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
  if (r.source !== undefined && (canonicalIp(r.source) !== r.source || r.source.includes(':') !== ip.includes(':')))
    throw new AnalyzerError('BAD_ADDRESS', `bad source address for ${ip}: ${JSON.stringify(r.source)}`);
  if (r.source !== undefined && r.scan !== 'connect')
    throw new AnalyzerError('BAD_ADDRESS', 'a source address needs a connect scan');
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
