// Checks of the structured values config keys hold: an http(s) URL and a Kafka broker
// (host:port). Each returns what is wrong in a few words, or null; callers add the key and,
// unless the value may carry a secret, the value. Pure.

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
