// Whether nmap, started by this process, may send raw packets (a SYN scan): as root, or with
// CAP_NET_RAW in the effective set and NMAP_PRIVILEGED in the environment (nmap does not look
// at capabilities itself), as deploy/systemd/porthole-verifier.service runs it. Linux only:
// elsewhere only root counts.

import { readFileSync } from 'node:fs';

const CAP_NET_RAW = 13n;

/** Pure: root, or CAP_NET_RAW in `capEff` (hex, as /proc/self/status shows it) with NMAP_PRIVILEGED set. */
export function rawScanAllowed(uid: number, capEff: string | null, nmapPrivileged: string | undefined): boolean {
  if (uid === 0) return true;
  if (!capEff || !nmapPrivileged) return false;
  return ((BigInt(`0x${capEff}`) >> CAP_NET_RAW) & 1n) === 1n;
}

/** rawScanAllowed for this process. */
export function thisProcessMayRawScan(): boolean {
  let capEff: string | null = null;
  try {
    capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? null;
  } catch {
    // no /proc: only root counts
  }
  return rawScanAllowed(process.getuid?.() ?? -1, capEff, process.env.NMAP_PRIVILEGED);
}

/**
 * The scan a configured type comes to: connect from source addresses (nmap-args.ts says why),
 * or for `auto` when nmap may not send raw packets; syn otherwise.
 */
export function scanFor(type: 'auto' | 'syn' | 'connect', hasSources: boolean, raw: boolean): 'syn' | 'connect' {
  return hasSources || type === 'connect' || (type === 'auto' && !raw) ? 'connect' : 'syn';
}
