// The addresses a sweep covers: every address of verify.allowedNetworks, each once, in address
// order, IPv4 before IPv6 (an IPv4 network's network and broadcast addresses included: nmap
// finds nothing there and a /31 or /32 has no others). Nothing else is ever a target, and a
// list longer than sweep.maxAddresses is refused rather than cut. Pure.

import { ConfigError } from '../../common/errors.js';
import { ipText } from '../../schemas/ip.js';
import type { Cidr } from '../policy.js';

/** First address (16 bytes as a bigint) and count of a network. */
function range(c: Cidr): [bigint, bigint] {
  let first = 0n;
  for (const b of c.bytes) first = (first << 8n) | BigInt(b);
  const hostBits = BigInt(128 - c.prefix);
  first = (first >> hostBits) << hostBits;
  return [first, 1n << hostBits];
}

/** Canonical text of a 16-byte address; ::ffff:a.b.c.d is IPv4 (policy.ts holds IPv4 so). */
function text(n: bigint): string {
  const b = new Uint8Array(16);
  for (let i = 15, x = n; i >= 0; i--, x >>= 8n) b[i] = Number(x & 0xffn);
  return n >> 32n === 0xffffn ? ipText(b, 12, 4) : ipText(b, 0, 6);
}

/** Every address of the networks, overlaps once; ConfigError past `max`. */
export function sweepTargets(allowed: readonly Cidr[], max: number): string[] {
  // merge overlapping ranges first, so the count is of distinct addresses
  const ranges = allowed.map(range).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Array<[bigint, bigint]> = [];
  for (const [start, count] of ranges) {
    const last = merged[merged.length - 1];
    if (last && start <= last[0] + last[1]) {
      if (start + count > last[0] + last[1]) last[1] = start + count - last[0];
    } else merged.push([start, count]);
  }
  const total = merged.reduce((n, [, c]) => n + c, 0n);
  if (total > BigInt(max))
    throw new ConfigError(
      `verify.allowedNetworks holds ${total} addresses, more than sweep.maxAddresses (${max}): not swept`,
    );
  const out: string[] = [];
  for (const [start, count] of merged) for (let i = 0n; i < count; i++) out.push(text(start + i));
  // IPv4 (::ffff:0:0/96) sorts inside the IPv6 space: put it first
  const v4 = out.filter((a) => !a.includes(':'));
  return v4.length === out.length ? out : [...v4, ...out.filter((a) => a.includes(':'))];
}
