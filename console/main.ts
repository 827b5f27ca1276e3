// `porthole console`: wiring only. Loads the configuration, migrates the schema (the console
// stores accounts, tokens and its audit log with the inventory), serves the API and UI, and
// stops cleanly on SIGTERM/SIGINT (open event streams are closed, the Kafka producer of
// verification requests disconnected).

import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { migrate } from '../analyzer/store/migrate.js';
import { Store } from '../analyzer/store/store.js';
import type { AnalyzerConfig } from '../analyzer/config.js';
import { listUsers } from './accounts.js';
import { Authenticator } from './auth.js';
import type { ConsoleConfig } from './config.js';
import { type ConsoleContext, readContextOf } from './context.js';
import { EventHub } from './events.js';
import { consoleMetrics, instrument } from './metrics.js';
import { buildServer } from './server.js';
import { listenText, serveMetrics } from '../common/metrics.js';
import { Lockout, Sessions } from './sessions.js';
import { verificationRequester } from './verify-requests.js';

export interface RunningConsole {
  app: FastifyInstance;
  ctx: ConsoleContext;
  /** the URL it listens on */
  url: string;
  /** where its Prometheus metrics are served, null when not */
  metricsUrl: string | null;
  close(): Promise<void>;
}

/** Build and start the console (tests call this with their own store and log). */
export async function startConsole(o: {
  cfg: ConsoleConfig;
  analyzer: AnalyzerConfig;
  log: Logger | false;
  store?: Store;
  /** the clock of sessions and login lockouts (tests move it) */
  now?: () => number;
}): Promise<RunningConsole> {
  const store = o.store ?? new Store(o.analyzer.clickhouse);
  await migrate(store);
  const now = o.now ?? Date.now;
  const sessions = new Sessions(o.cfg.sessionIdleMs, o.cfg.sessionMaxMs, now);
  const verify = verificationRequester(o.analyzer, o.log);
  const events = new EventHub(store, 500, (err) => {
    if (o.log) o.log.warn({ err: (err as Error).message }, 'live events paused: the store is unavailable');
  });
  const ctx: ConsoleContext = {
    store,
    cfg: o.cfg,
    analyzer: o.analyzer,
    sessions,
    lockout: new Lockout(o.cfg.loginFailures, o.cfg.lockoutMs, now),
    events,
    metrics: consoleMetrics(),
    readContext: readContextOf(store, o.analyzer),
    requestVerification: verify.request,
  };
  const auth = new Authenticator(store, sessions);
  const app = await buildServer(ctx, auth, {
    log: o.log,
    https: o.cfg.tls,
    instrument: (a) => instrument(a, ctx, ctx.metrics),
  });
  const metrics = o.cfg.metricsListen
    ? await serveMetrics(
        ctx.metrics.registry,
        o.cfg.metricsListen,
        o.log || pino({ level: 'silent' }),
        'console.metricsListen',
      )
    : null;
  await app.listen({ host: o.cfg.host, port: o.cfg.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.cfg.port;
  const host = o.cfg.host.includes(':') ? `[${o.cfg.host}]` : o.cfg.host;
  const url = `${o.cfg.tls ? 'https' : 'http'}://${host}:${port}`;
  return {
    app,
    ctx,
    url,
    metricsUrl: metrics ? `http://${listenText(metrics.address)}/metrics` : null,
    close: async () => {
      events.close();
      sessions.close();
      await metrics?.close();
      await app.close();
      await verify.close();
      if (!o.store) await store.close();
    },
  };
}

/** Run until SIGTERM/SIGINT. */
export async function runConsole(cfg: ConsoleConfig, analyzer: AnalyzerConfig, log: Logger): Promise<number> {
  const c = await startConsole({ cfg, analyzer, log });
  log.info({ url: c.url, oidc: cfg.oidc !== null }, 'console listening');
  if ((await listUsers(c.ctx.store)).length === 0 && !cfg.oidc)
    log.warn('no accounts yet: add one with porthole users add NAME --role admin');
  if (!/^(127\.|\[::1\]|localhost)/.test(c.url.replace(/^https?:\/\//, '')) && !cfg.tls)
    log.warn('the console is reachable beyond this machine without TLS: give console.tlsCert and console.tlsKey');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('console stopping');
  // open event streams would hold close() until their clients leave
  c.app.server.closeAllConnections?.();
  await c.close();
  return 0;
}
