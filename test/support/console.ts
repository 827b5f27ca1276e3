// A console for tests: started on 127.0.0.1 port 0 against a database of the local ClickHouse,
// with accounts made directly in the store and logins done through the API.

import { Store } from '../../analyzer/store/store.js';
import { putUser } from '../../console/accounts.js';
import { loadConsoleConfig } from '../../console/config.js';
import { type RunningConsole, startConsole } from '../../console/main.js';
import { hashPassword } from '../../console/passwords.js';
import type { Role } from '../../console/roles.js';
import { CH_URL } from './clickhouse.js';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestConsole extends RunningConsole {
  store: Store;
  addUser(name: string, role: Role): Promise<void>;
  /** a session: its cookie header and CSRF token */
  login(name: string): Promise<{ cookie: string; csrf: string }>;
}

export async function startTestConsole(db: string, flags: Record<string, unknown> = {}): Promise<TestConsole> {
  const cfg = loadConsoleConfig({
    env: {},
    flags: {
      'clickhouse.url': CH_URL,
      'clickhouse.database': db,
      'console.listen': '127.0.0.1:0',
      'console.metricsListen': 'off',
      ...flags,
    },
  });
  const store = new Store(cfg.analyzer.clickhouse);
  const c = await startConsole({ cfg: cfg.console, analyzer: cfg.analyzer, log: false, store });
  return {
    ...c,
    store,
    close: async () => {
      await c.close();
      await store.close();
    },
    async addUser(name, role) {
      await putUser(store, {
        name,
        role,
        source: 'local',
        disabled: false,
        password_hash: await hashPassword(TEST_PASSWORD),
      });
    },
    async login(name) {
      const r = await fetch(`${c.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password: TEST_PASSWORD }),
      });
      if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${await r.text()}`);
      const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
      const { csrf } = (await r.json()) as { csrf: string };
      return { cookie, csrf };
    },
  };
}
