// The API's OpenAPI document, generated from the route schemas by building the server without
// serving it (nothing is read from the store). Committed as docs/openapi.json (2-space JSON and
// a newline), a test fails when it drifts; `porthole console --openapi > docs/openapi.json`
// regenerates it.

import type { AnalyzerConfig } from '../analyzer/config.js';
import type { Store } from '../analyzer/store/store.js';
import { Authenticator } from './auth.js';
import type { ConsoleConfig } from './config.js';
import { readContextOf } from './context.js';
import { EventHub } from './events.js';
import { consoleMetrics } from './metrics.js';
import { buildServer } from './server.js';
import { Lockout, Sessions } from './sessions.js';

export async function openapiDocument(store: Store, cfg: ConsoleConfig, analyzer: AnalyzerConfig): Promise<string> {
  const sessions = new Sessions(cfg.sessionIdleMs, cfg.sessionMaxMs);
  const events = new EventHub(store);
  const ctx = {
    store,
    cfg,
    analyzer,
    sessions,
    lockout: new Lockout(cfg.loginFailures, cfg.lockoutMs),
    events,
    metrics: consoleMetrics(),
    readContext: readContextOf(store, analyzer),
    requestVerification: null,
  };
  const app = await buildServer(ctx, new Authenticator(store, sessions), { log: false, https: null });
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    events.close();
    sessions.close();
  }
}
