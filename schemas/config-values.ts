// Checks of the structured values config keys hold: an http(s) URL, a Kafka broker (host:port)
// and an address to listen on (address:port). Each returns what is wrong in a few words, or null; callers add the key and,
// unless the value may carry a secret, the value. Pure.

import { canonicalIp } from './ip.js';

/** What is wrong with an http(s) URL a client will be given, or null. */
export function httpUrlProblem(text: string): string | null {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'not an http(s) URL';
  if (!u.hostname) return 'no host';
  if (/\s/.test(text)) return 'contains spaces';
  return null;
}

/** What is wrong with a ClickHouse server URL, or null: the client reads options from a query string, Porthole from its keys. */
export function serverUrlProblem(text: string): string | null {
  const p = httpUrlProblem(text);
  if (p) return p;
  const u = new URL(text);
  if (u.username || u.password) return 'has credentials (give them in their own keys)';
  if (u.search || u.hash) return 'has a query string or fragment (give options in their own keys)';
  return null;
}

const HOST =
  /^(?:\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*)$/;

/** What is wrong with a Kafka bootstrap broker, host:port (port 1..65535), or null. */
export function brokerProblem(text: string): string | null {
  // the Kafka client splits host from port at the first colon: an IPv6 literal cannot be given
  if (text.startsWith('[') || (text.match(/:/g) ?? []).length > 1)
    return 'an IPv6 address cannot be a bootstrap broker (give a host name)';
  const i = text.indexOf(':');
  if (i < 0) return 'not host:port';
  const host = text.slice(0, i);
  const port = text.slice(i + 1);
  if (!HOST.test(host)) return 'not a host name or IPv4 address before the colon';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return 'port must be 1..65535';
  return null;
}

export interface ListenAddress {
  /** an IP address, IPv6 without brackets */
  host: string;
  port: number;
}

/**
 * An address to listen on, "address:port" with the IPv6 address in brackets ([::1]:9464), or
 * what is wrong with it. An address, not a host name: a name may resolve to several addresses
 * and the server binds exactly one. Port 0 lets the system pick a free port (tests).
 */
export function parseListen(text: string): ListenAddress | { error: string } {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!m) return { error: 'must be address:port, an IPv6 address in brackets (127.0.0.1:9464, [::1]:9464)' };
  const host = m[1] ?? m[2];
  const v6 = m[1] !== undefined;
  if (canonicalIp(host) === null || host.includes(':') !== v6)
    return { error: 'not an IP address before the port (a host name may resolve to several: give the address)' };
  const port = Number(m[3]);
  if (port > 65535) return { error: 'port must be 0..65535' };
  return { host, port };
}

/** A key's listen value, checked when the config was resolved (null: nothing to serve). */
export function listenAddress(text: string | null): ListenAddress | null {
  if (text === null) return null;
  const l = parseListen(text);
  if ('error' in l) throw new Error(`listen address not checked: ${text}`);
  return Object.freeze(l);
}
