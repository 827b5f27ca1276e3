// Policy: pure predicates from configuration — which addresses are home (tracked), which
// services are expected, which Observations are the verifier's own probes, how severe an
// exposure is, whether the sensor's coverage of a window was poor — and the CIDR arithmetic they
// rest on. No I/O, no state but a bounded memo.

import { parseIp } from '../schemas/ip.js';
import { captureLoss, type Observation } from '../schemas/observation.js';

export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
  text: string;
}

/** Parse "a.b.c.d/n" or "x::/n" (a bare address is /32 or /128); IPv4 is held as ::ffff:a.b.c.d. */
export function parseCidr(s: string): Cidr | null {
  const [addr, len, extra] = s.trim().split('/');
  if (extra !== undefined) return null;
  const b = parseIp(addr);
  if (!b) return null;
  const max = b.length * 8;
  const prefix = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  const bytes = toV6(b);
  return { bytes, prefix: b.length === 4 ? prefix + 96 : prefix, text: s.trim() };
}

function toV6(b: Uint8Array): Uint8Array {
  if (b.length === 16) return b;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(b, 12);
  return out;
}

export function inCidr(ip: string, c: Cidr): boolean {
  const b = parseIp(ip);
  if (!b) return false;
  return inBytes(toV6(b), c);
}

function inBytes(a: Uint8Array, c: Cidr): boolean {
  let bits = c.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i] & mask) !== (c.bytes[i] & mask)) return false;
  }
  return true;
}

// inAny runs several times per Observation on a stream where the same addresses recur: answers
// are remembered per network list (bounded: the memo is dropped when it reaches MEMO_MAX)
const memos = new WeakMap<Cidr[], Map<string, boolean>>();
const MEMO_MAX = 100_000;

export function inAny(ip: string, nets: Cidr[]): boolean {
  let memo = memos.get(nets);
  if (!memo) {
    memo = new Map();
    memos.set(nets, memo);
  }
  const known = memo.get(ip);
  if (known !== undefined) return known;
  const b = parseIp(ip);
  const a = b ? toV6(b) : null;
  const r = a !== null && nets.some((n) => inBytes(a, n));
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(ip, r);
  return r;
}

/** The first and last address of a network as 32 hex digits (for ip_num range queries). */
export function cidrRangeHex(c: Cidr): [string, string] {
  const lo = Uint8Array.from(c.bytes);
  const hi = Uint8Array.from(c.bytes);
  let bits = c.prefix;
  for (let i = 0; i < 16; i++, bits -= 8) {
    const keep = bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    lo[i] &= keep;
    hi[i] = (hi[i] & keep) | (~keep & 0xff);
  }
  const hex = (x: Uint8Array): string => Buffer.from(x).toString('hex');
  return [hex(lo), hex(hi)];
}

/** An expected service (policy.expected, CIDR:port): known, never alerted. */
export interface Expected {
  net: Cidr;
  port: number;
}

/** Whether an address is tracked (inside the home networks): only those get states and alerts. */
export function isTracked(ip: string, homeNetworks: Cidr[]): boolean {
  return inAny(ip, homeNetworks);
}

/** Whether an Observation's sample client is outside the home networks (an internet exposure). */
export function clientOutside(o: Observation, homeNetworks: Cidr[]): boolean {
  return !inAny(o.sample_client, homeNetworks);
}

/** Whether an endpoint is an expected service. */
export function isExpected(ip: string, port: number, expected: Expected[]): boolean {
  return expected.some((e) => e.port === port && inCidr(ip, e.net));
}

/** The verifier's own probe (its address the only client): never makes a service. */
export function isScannerProbe(o: Observation, scannerAddresses: Set<string>): boolean {
  return o.clients === 1 && scannerAddresses.has(o.sample_client);
}

export type Severity = 'low' | 'medium' | 'high';

/** High for a high-risk port, else medium when clients came from outside, else low. */
export function severity(port: number, highRisk: Set<number>, internetExposed: boolean): Severity {
  if (highRisk.has(port)) return 'high';
  return internetExposed ? 'medium' : 'low';
}

/**
 * The capture loss of the window an Observation came from (its sensor's, all endpoints) when it is
 * above `threshold`, i.e. the sensor's coverage was poor; null when it was not, or is unknown.
 */
export function poorCoverage(o: Observation, threshold: number): number | null {
  const loss = captureLoss(o.loss_checked, o.loss_missed);
  return loss !== null && loss > threshold ? loss : null;
}
