// Client zones: an address is internal when it lies in one of the home networks (CIDRs), else
// internet. The default home networks are the private and internal ranges. Matching reads an
// address as 32-bit words (as the flow key holds it), so the sensor classifies without text;
// an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched as its IPv4 address.

import { ConfigError } from '../common/errors.js';
import type { Validation } from './fields.js';
import { parseIp } from './ip.js';

/** Private, shared, loopback and link-local ranges (RFC 1918, 6598, 1122, 3927, 4193, 4291). */
export const DEFAULT_INTERNAL_RANGES: readonly string[] = Object.freeze([
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
]);

/** A compiled list of home networks: (network, mask) words per range, IPv4 and IPv6 apart. */
export class HomeNetworks {
  constructor(
    private readonly v4: Int32Array, // network, mask per range
    private readonly v6: Int32Array, // 4 network words, then 4 mask words, per range
  ) {}

  /** Whether the address with these big-endian words (w0 only for IPv4) is internal. */
  internal(v6: boolean, w0: number, w1: number, w2: number, w3: number): boolean {
    if (v6) {
      if (w0 === 0 && w1 === 0 && w2 === 0xffff) return this.internalV4(w3);
      const n = this.v6;
      for (let i = 0; i < n.length; i += 8) {
        if (
          ((w0 ^ n[i]) & n[i + 4]) === 0 &&
          ((w1 ^ n[i + 1]) & n[i + 5]) === 0 &&
          ((w2 ^ n[i + 2]) & n[i + 6]) === 0 &&
          ((w3 ^ n[i + 3]) & n[i + 7]) === 0
        )
          return true;
      }
      return false;
    }
    return this.internalV4(w0);
  }

  /** Whether address text is internal (false when it is not an address). */
  internalIp(text: string): boolean {
    const b = parseIp(text);
    if (b === null) return false;
    if (b.length === 4) return this.internalV4(word(b, 0));
    return this.internal(true, word(b, 0), word(b, 4), word(b, 8), word(b, 12));
  }

  private internalV4(w: number): boolean {
    const n = this.v4;
    for (let i = 0; i < n.length; i += 2) if (((w ^ n[i]) & n[i + 1]) === 0) return true;
    return false;
  }
}

/** Compile CIDRs ("a.b.c.d/n", "x::/n"; a bare address is one host); every bad entry reported. */
export function parseHomeNetworks(cidrs: readonly string[]): Validation<HomeNetworks> {
  const v4: number[] = [];
  const v6: number[] = [];
  const errors: string[] = [];
  for (const text of cidrs) {
    const [addr, len, extra] = text.trim().split('/');
    const b = extra === undefined ? parseIp(addr) : null;
    const max = b ? b.length * 8 : 0;
    const prefix = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : -1;
    if (b === null || prefix < 0 || prefix > max) {
      errors.push(`not a CIDR: ${JSON.stringify(text)}`);
      continue;
    }
    const words = b.length / 4;
    const net: number[] = [];
    const mask: number[] = [];
    for (let i = 0; i < words; i++) {
      const bits = Math.min(32, Math.max(0, prefix - 32 * i));
      const m = bits === 0 ? 0 : (0xffffffff << (32 - bits)) | 0;
      mask.push(m);
      net.push(word(b, 4 * i) & m);
    }
    if (words === 1) v4.push(net[0], mask[0]);
    else v6.push(...net, ...mask);
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: new HomeNetworks(Int32Array.from(v4), Int32Array.from(v6)) };
}

/** The default ranges, compiled. */
export const DEFAULT_HOME_NETWORKS: HomeNetworks = mustParse(DEFAULT_INTERNAL_RANGES);

function mustParse(cidrs: readonly string[]): HomeNetworks {
  const r = parseHomeNetworks(cidrs);
  if (!r.ok) throw new ConfigError(`home networks: ${r.errors.join('; ')}`);
  return r.value;
}

/** A big-endian word as a signed 32-bit integer (the flow key's form). */
function word(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
