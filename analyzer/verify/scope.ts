// The one decision whether nmap may be pointed at an address: inside verify.allowedNetworks.
// The verifier's scheduler and host scan, and the sweeper's target list and each of its nmap
// runs, ask here; nothing else decides. Pure.

import { AnalyzerError } from '../errors.js';
import { type Cidr, inAny } from '../policy.js';

/** Why the address may not be scanned, or null when it may. */
export function outOfScope(ip: string, allowed: Cidr[]): string | null {
  return inAny(ip, allowed) ? null : 'outside verify.allowedNetworks';
}

/** Throws OUT_OF_SCOPE unless the address may be scanned. */
export function requireInScope(ip: string, allowed: Cidr[]): void {
  const why = outOfScope(ip, allowed);
  if (why) throw new AnalyzerError('OUT_OF_SCOPE', `${ip} is ${why}: not scanned`);
}
