// Scrapes a Porthole process's /metrics and reads samples out of the Prometheus text; finds a
// loopback port free a moment ago for a process to serve them on.

import { createServer } from 'node:net';

/** Each sample's value by its series, e.g. `porthole_decode_failures_total{reason="non_tcp"}`. */
export async function scrape(port: number): Promise<Map<string, number>> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (r.status !== 200) throw new Error(`/metrics on ${port}: HTTP ${r.status}`);
  const out = new Map<string, number>();
  for (const line of (await r.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** A loopback port nothing listened on a moment ago. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
