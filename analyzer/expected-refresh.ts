// Keeps a running analyzer's expected services current without a restart: every
// policy.rulesRefresh it reads the stored rules (porthole expect) and, when they changed, hands
// the detector the config file's rules plus those, logging the change once. While ClickHouse is
// away the last list stays in force (logged once per outage, and once when read again).
// Observations applied before a refresh used the list in force then; nothing is re-evaluated.

import type { Logger } from 'pino';
import { errorMessage } from '../common/errors.js';
import type { Detector } from './detect.js';
import { loadStoredRules } from './expected.js';
import type { Rule } from './expected-rules.js';
import type { Store } from './store/store.js';

export interface ExpectedRefresh {
  /** Read the stored rules now and swap them in when they changed. */
  refresh(): Promise<void>;
  stop(): void;
}

export function startExpectedRefresh(d: {
  store: Store;
  detector: Detector;
  configRules: readonly Rule[];
  intervalMs: number;
  logger: Logger;
}): ExpectedRefresh {
  let current = '';
  let failing = false;
  async function refresh(): Promise<void> {
    try {
      const stored = await loadStoredRules(d.store);
      if (failing) d.logger.info('expected services read again');
      failing = false;
      const key = stored.map((r) => r.id).join(',');
      if (key === current) return;
      current = key;
      d.detector.setExpected([...d.configRules, ...stored]);
      d.logger.info(
        { rules: d.configRules.length + stored.length, config: d.configRules.length, stored: stored.length },
        'expected services changed',
      );
    } catch (err) {
      if (!failing) d.logger.warn({ err: errorMessage(err) }, 'expected services not refreshed; keeping the last');
      failing = true;
    }
  }
  const timer = setInterval(() => void refresh(), d.intervalMs);
  return { refresh, stop: () => clearInterval(timer) };
}
