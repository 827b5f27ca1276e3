// What every route handler gets: the store, the policy reading needs (owners, expected services,
// high-risk ports; stored expected rules re-read at most every RULES_CACHE_MS), the console's
// configuration, sessions, the login lockout and the live-event hub.

import type { ReadContext } from '../analyzer/inventory.js';
import { loadStoredRules } from '../analyzer/expected.js';
import type { AnalyzerConfig } from '../analyzer/config.js';
import type { Store } from '../analyzer/store/store.js';
import type { ConsoleConfig } from './config.js';
import type { EventHub } from './events.js';
import type { ConsoleMetrics } from './metrics.js';
import type { Lockout, Sessions } from './sessions.js';

const RULES_CACHE_MS = 10_000;

export interface ConsoleContext {
  store: Store;
  cfg: ConsoleConfig;
  analyzer: AnalyzerConfig;
  sessions: Sessions;
  lockout: Lockout;
  events: EventHub;
  metrics: ConsoleMetrics;
  readContext(): Promise<ReadContext>;
  /** asks the verifier to verify one endpoint now, through Kafka (verify-requests.ts): the request id; null: this server cannot (the OpenAPI build) */
  requestVerification: ((ip: string, port: number, actor: string) => Promise<string>) | null;
}

/** readContext(): the config file's policy and the stored expected rules, cached briefly. */
export function readContextOf(store: Store, a: AnalyzerConfig): () => Promise<ReadContext> {
  let cached: { at: number; ctx: ReadContext } | null = null;
  return async () => {
    if (cached && Date.now() - cached.at < RULES_CACHE_MS) return cached.ctx;
    const stored = await loadStoredRules(store);
    const p = a.policy;
    cached = {
      at: Date.now(),
      ctx: { owners: p.owners, expected: [...p.expected, ...stored], highRiskPorts: p.highRiskPorts },
    };
    return cached.ctx;
  };
}
