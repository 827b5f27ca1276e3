// The two ClickHouse engines every store test runs on: Debian's 18.16 over HTTP and a current
// ClickHouse in-process (chdb), for `describe.each`. Cleanups registered with `cleanups` run
// after the file's tests, then chdb's directory is removed.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { chdbEngine, type Engine, httpEngine } from '../../analyzer/store/engine.js';
import { CH_URL } from './clickhouse.js';

/** The engines, and a list the tests push their cleanups to (databases to drop). */
export function bothEngines(): { engines: Array<[string, () => Engine]>; cleanups: Array<() => Promise<void>> } {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-chdb-'));
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    engines: [
      ['ClickHouse 18.16 over HTTP', () => httpEngine({ url: CH_URL, user: 'default', password: null })],
      ['ClickHouse 26.x in-process (chdb)', () => chdbEngine(dir)],
    ],
    cleanups,
  };
}
