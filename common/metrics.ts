// Serves one prom-client Registry at GET /metrics on exactly one address (any other method or
// path: 404), for every long-running Porthole process. Metrics are never a reason to stop: when
// the address cannot be bound (the port taken by another process of the same kind on the box,
// the address not on this host) one warning is logged and the process runs on without them.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ListenAddress } from '../schemas/config-values.js';
import { errorMessage } from './errors.js';

export interface MetricsServer {
  /** the address bound (the port chosen when 0 was asked for) */
  address: ListenAddress;
  close(): Promise<void>;
}

/** Listen on `at` (config key `key`, named in the log lines); null when it could not be bound. */
export async function serveMetrics(
  registry: Registry,
  at: ListenAddress,
  logger: Logger,
  key = 'metrics.listen',
): Promise<MetricsServer | null> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${errorMessage(err)}\n`),
    );
  });
  try {
    await listen(server, at);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : errorMessage(err);
    logger.warn({ listen: listenText(at), code }, `metrics not served (${key}): ${why}; running without them`);
    return null;
  }
  const address = { host: at.host, port: (server.address() as AddressInfo).port };
  logger.info({ listen: listenText(address) }, 'metrics served');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a scraper's idle keep-alive connection must not hold the exit
      }),
  };
}

/** address:port as configured, the IPv6 address in brackets. */
export function listenText(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function listen(server: Server, at: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // an IPv6 address binds that address only ("::" would otherwise take IPv4 as well)
    server.listen({ host: at.host, port: at.port, ipv6Only: at.host.includes(':') }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
