// Expected-service rules as text, pure: parsing "CIDR:port" into a canonical rule (the network
// masked to its prefix, so 10.1.2.3/16:80 and 10.1.0.0/16:80 are one rule) and the overlap test
// that keeps stored rules disjoint; policy.expected and `porthole expect` share them. IPv4
// networks are held as ::ffff:a.b.c.d/96+n (policy.ts), so ::ffff:0:0/96 is the rule 0.0.0.0/0.

import { ipv4Text, ipv6Text } from '../schemas/ip.js';
import { type Cidr, type Expected, parseCidr } from './policy.js';

export interface Rule extends Expected {
  /** canonical text, network:port (the rule's identity) */
  id: string;
}

const V4_MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** A network masked to its prefix, with its canonical text (a.b.c.d/n or RFC 5952 /n). */
function canonicalNet(c: Cidr): Cidr {
  const bytes = Uint8Array.from(c.bytes);
  let bits = c.prefix;
  for (let i = 0; i < 16; i++, bits -= 8) bytes[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  const v4 = c.prefix >= 96 && V4_MAPPED.every((b, i) => bytes[i] === b);
  const text = v4 ? `${ipv4Text(bytes, 12)}/${c.prefix - 96}` : `${ipv6Text(bytes, 0)}/${c.prefix}`;
  return { bytes, prefix: c.prefix, text };
}

/** Parse "CIDR:port" (a bare address is /32 or /128); the rule, or why it is not one. */
export function parseRule(text: string): Rule | { error: string } {
  const s = text.trim();
  const i = s.lastIndexOf(':');
  const bad = (why: string) => ({ error: `not CIDR:port (${why}): ${JSON.stringify(text)}` });
  if (i <= 0) return bad('no port');
  const netText = s.slice(0, i);
  // an IPv6 network must carry its /prefix: in "2001:db8::1:443" the port cannot be told apart
  if (netText.includes(':') && !netText.includes('/')) return bad('an IPv6 network needs its /prefix');
  const net = parseCidr(netText);
  if (!net) return bad('bad network');
  const p = s.slice(i + 1);
  if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) return bad('port must be 1..65535');
  const c = canonicalNet(net);
  return { net: c, port: Number(p), id: `${c.text}:${Number(p)}` };
}

/** Whether one rule's network contains the other's, on the same port. */
export function overlaps(a: Expected, b: Expected): boolean {
  if (a.port !== b.port) return false;
  const [wide, narrow] = a.net.prefix <= b.net.prefix ? [a.net, b.net] : [b.net, a.net];
  let bits = wide.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((wide.bytes[i] & mask) !== (narrow.bytes[i] & mask)) return false;
  }
  return true;
}
