// Storm control for one alert sink: a token bucket caps the messages a sink receives per minute,
// and when more alerts wait than the sink should get one by one, they are grouped into digests
// per network (an IPv4 /24 or an IPv6 /64: "37 new services on 10.1.2.0/24"), or per host when
// one host holds them all. Every alert is still stored and listed on its own; a digest only
// changes how the sink hears of them. Pure: the outbox stores, delivers and records the plan.

import { createHash } from 'node:crypto';
import { ipv6Text, parseIp } from '../../schemas/ip.js';

export interface StormAlert {
  alert_id: string;
  ts: number;
  kind: string;
  severity: string;
  ip: string;
  proto: string;
  port: number;
  message: string;
}

export interface Digest<A extends StormAlert = StormAlert> {
  digest_id: string;
  scope: string; // "10.1.2.0/24", "2001:db8:1:2::/64" or one address
  severity: string;
  alerts: A[];
  message: string;
}

export type Delivery<A extends StormAlert = StormAlert> = { single: A } | { digest: Digest<A> };

/** At most this many alerts in one digest (the rest go into the next). */
export const DIGEST_MAX_ALERTS = 1000;

const SEVERITY_RANK: Record<string, number> = { low: 0, medium: 1, high: 2 };

/** Messages a sink may receive: `ratePerMinute`, refilled continuously, bursts up to that many. */
export class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly ratePerMinute: number,
    now: number,
  ) {
    this.tokens = ratePerMinute;
    this.at = now;
  }

  available(now: number): number {
    this.tokens = Math.min(this.ratePerMinute, this.tokens + ((now - this.at) * this.ratePerMinute) / 60_000);
    this.at = now;
    return Math.floor(this.tokens);
  }

  take(now: number): boolean {
    if (this.available(now) < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The network an address is grouped under: its /24 (IPv4) or /64 (IPv6), as CIDR text. */
export function digestNetwork(ip: string): string {
  const b = parseIp(ip);
  if (!b) return ip;
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.0/24`;
  const net = new Uint8Array(16);
  net.set(b.subarray(0, 8));
  return `${ipv6Text(net, 0)}/64`;
}

function digestOf<A extends StormAlert>(sink: string, network: string, alerts: A[]): Digest<A> {
  const hosts = new Set(alerts.map((a) => a.ip));
  const scope = hosts.size === 1 ? alerts[0].ip : network;
  const kinds = new Set(alerts.map((a) => a.kind));
  const what = kinds.size === 1 && kinds.has('new_service') ? 'new services' : 'alerts';
  const first = Math.min(...alerts.map((a) => a.ts));
  const last = Math.max(...alerts.map((a) => a.ts));
  const minutes = Math.max(1, Math.round((last - first) / 60_000));
  const severity = alerts.reduce(
    (s, a) => ((SEVERITY_RANK[a.severity] ?? 0) > (SEVERITY_RANK[s] ?? 0) ? a.severity : s),
    'low',
  );
  const h = createHash('sha256');
  h.update(sink);
  for (const a of alerts) h.update(`\n${a.alert_id}`);
  return {
    digest_id: `digest|${h.digest('hex').slice(0, 32)}`,
    scope,
    severity,
    alerts,
    message: `${alerts.length} ${what} on ${scope} in ${minutes} min${minutes === 1 ? '' : 's'}${hosts.size > 1 ? ` (${hosts.size} hosts)` : ''}`,
  };
}

/**
 * What to send to a sink now, for alerts waiting in time order: one by one while they fit both
 * the sink's tokens and `digestAbove`; otherwise grouped into digests by network, largest
 * group first, as many messages as `tokens` allows (an alert alone in its group goes singly).
 */
export function plan<A extends StormAlert>(
  sink: string,
  waiting: A[],
  tokens: number,
  digestAbove: number,
): Delivery<A>[] {
  if (tokens <= 0 || waiting.length === 0) return [];
  if (waiting.length <= Math.min(tokens, digestAbove)) return waiting.map((a) => ({ single: a }));
  const groups = new Map<string, A[]>();
  for (const a of waiting) {
    const net = digestNetwork(a.ip);
    let g = groups.get(net);
    if (!g) {
      g = [];
      groups.set(net, g);
    }
    g.push(a);
  }
  const ordered = [...groups].sort((x, y) => y[1].length - x[1].length || x[1][0].ts - y[1][0].ts);
  const out: Delivery<A>[] = [];
  for (const [net, alerts] of ordered) {
    for (let i = 0; i < alerts.length && out.length < tokens; i += DIGEST_MAX_ALERTS) {
      const part = alerts.slice(i, i + DIGEST_MAX_ALERTS);
      out.push(part.length === 1 ? { single: part[0] } : { digest: digestOf(sink, net, part) });
    }
    if (out.length >= tokens) break;
  }
  return out;
}
