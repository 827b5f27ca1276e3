// Owners: which team owns an address (and port), from owners.rules entries `TEAM=CIDR[:PORT]`,
// and which sinks each team has, from owners.webhooks / owners.slackWebhooks entries `TEAM=URL`.
// Pure. The most specific rule wins: the longest prefix, then a rule with a port before one
// without, then the order given; an address no rule matches has no owner ('').

import { httpUrlProblem } from '../schemas/config-values.js';
import { type Cidr, inCidr, parseCidr } from './policy.js';

export interface OwnerRule {
  team: string;
  net: Cidr;
  /** null: every port */
  port: number | null;
}

export interface OwnerSink {
  team: string;
  url: string;
}

const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** "TEAM=rest" split at the first "=", the team name checked; null when malformed. */
export function teamEntry(s: string): { team: string; rest: string } | null {
  const i = s.indexOf('=');
  if (i <= 0) return null;
  const team = s.slice(0, i).trim();
  return TEAM.test(team) ? { team, rest: s.slice(i + 1).trim() } : null;
}

/**
 * "CIDR[:PORT]": a port follows a prefix length (10.0.0.0/8:443, 2001:db8::/32:443), an IPv4
 * address (10.1.2.3:443) or a bracketed IPv6 address ([2001:db8::1]:443).
 */
function netAndPort(s: string): { net: Cidr; port: number | null } | null {
  let addr = s;
  let port: string | null = null;
  const slash = s.indexOf('/');
  const v4WithPort = /^([\d.]+):(\d+)$/.exec(s);
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) [, addr, port = null] = bracketed;
  else if (v4WithPort) [, addr, port] = v4WithPort;
  else if (slash > 0) {
    const m = /^(\d+)(?::(\d+))?$/.exec(s.slice(slash + 1));
    if (!m) return null;
    addr = `${s.slice(0, slash)}/${m[1]}`;
    port = m[2] ?? null;
  }
  const net = parseCidr(addr);
  const p = port === null ? null : Number(port);
  if (!net || (p !== null && !(p >= 1 && p <= 65535))) return null;
  return { net, port: p };
}

/** owners.rules, ordered most specific first; a problem per bad entry, naming the key. */
export function parseOwnerRules(list: string[], key: string, errors: string[]): OwnerRule[] {
  const rules = list.flatMap((s, order) => {
    const e = teamEntry(s);
    const np = e ? netAndPort(e.rest) : null;
    if (!e || !np) {
      errors.push(`${key}: not TEAM=CIDR[:PORT]: ${JSON.stringify(s)}`);
      return [];
    }
    return [{ team: e.team, ...np, order }];
  });
  rules.sort(
    (a, b) => b.net.prefix - a.net.prefix || Number(b.port !== null) - Number(a.port !== null) || a.order - b.order,
  );
  return rules.map(({ team, net, port }) => ({ team, net, port }));
}

/** owners.webhooks / owners.slackWebhooks: each team must have a rule, each URL be http(s). */
export function parseOwnerSinks(list: string[], key: string, teams: Set<string>, errors: string[]): OwnerSink[] {
  return list.flatMap((s) => {
    const e = teamEntry(s);
    // the URL is left out of the message: it may carry a token
    if (!e || httpUrlProblem(e.rest)) {
      errors.push(`${key}: an entry is not TEAM=http(s)://…${e ? ` (team ${e.team})` : ''}`);
      return [];
    }
    if (!teams.has(e.team)) {
      errors.push(`${key}: team ${e.team} has no rule in owners.rules`);
      return [];
    }
    return [{ team: e.team, url: e.rest }];
  });
}

/** The team owning an endpoint ('' when none); a host-level alert (port 0) matches portless rules only. */
export function ownerOf(ip: string, port: number, rules: readonly OwnerRule[]): string {
  if (!ip) return '';
  for (const r of rules) if ((r.port === null || r.port === port) && inCidr(ip, r.net)) return r.team;
  return '';
}
