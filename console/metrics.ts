// The console's Prometheus metrics (served at console.metricsListen, never on the console's own
// port, which needs a login): request durations by route pattern (never the raw URL: addresses
// in paths would make a series per host), logins by outcome, sessions and live-event clients.

import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';
import { gaugeView } from '../common/metric-views.js';
import type { ConsoleContext } from './context.js';

export interface ConsoleMetrics {
  registry: Registry;
  logins: Counter<'outcome'>;
}

export function consoleMetrics(): ConsoleMetrics {
  const registry = new Registry();
  return {
    registry,
    logins: new Counter({
      name: 'porthole_console_logins_total',
      help: 'logins by outcome: ok, failed (wrong name or password), locked',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

/** Times every request and reads the live figures of `ctx` at scrape time. */
export function instrument(app: FastifyInstance, ctx: ConsoleContext, m: ConsoleMetrics): void {
  const durations = new Histogram({
    name: 'porthole_console_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status (event streams are not timed)',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [m.registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    durations.observe(
      { method: req.method, route: route.startsWith('/api/') ? route : 'ui', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  gaugeView(m.registry, 'porthole_console_sessions', 'browser sessions alive', () => ctx.sessions.size);
  gaugeView(
    m.registry,
    'porthole_console_event_clients',
    'clients holding /api/v1/events open',
    () => ctx.events.subscribers,
  );
}
