// The ClickHouse engines every store test runs on: Debian's 18.16 over HTTP and a current
// ClickHouse in-process (chdb), for `describe.each`; with `cluster`, also the local cluster
// (deploy/local.sh --cluster: 18.16, 2 shards x 2 replicas) in cluster mode, its parts started
// when down and stopped after if this file started them. Each entry is [name, make, cluster
// name or null]. Cleanups registered with `cleanups` run after the file's tests, then chdb's
// directory is removed.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { CLUSTER_SETTINGS } from '../../analyzer/store/cluster-settings.js';
import { chdbEngine, type Engine, httpEngine } from '../../analyzer/store/engine.js';
import { CH_URL } from './clickhouse.js';
import { CLUSTER, ensureClusterClickHouse, nodeUrl } from './clickhouse-cluster.js';

/** The engines, and a list the tests push their cleanups to (databases to drop). */
export function bothEngines(o: { cluster?: boolean } = {}): {
  engines: Array<[string, () => Engine, string | null]>;
  cleanups: Array<() => Promise<void>>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-chdb-'));
  const cleanups: Array<() => Promise<void>> = [];
  let stopCluster = () => {};
  if (o.cluster)
    beforeAll(() => {
      stopCluster = ensureClusterClickHouse();
    }, 150_000);
  afterAll(async () => {
    try {
      for (const c of cleanups) await c();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      stopCluster();
    }
  }, 150_000);
  return {
    engines: [
      ['ClickHouse 18.16 over HTTP', () => httpEngine({ url: CH_URL, user: 'default', password: null }), null],
      ['ClickHouse 26.x in-process (chdb)', () => chdbEngine(dir), null],
      ...(o.cluster
        ? ([
            [
              'a ClickHouse 18.16 cluster (2 shards x 2 replicas) in cluster mode',
              () => httpEngine({ url: nodeUrl(1), user: 'default', password: null, settings: CLUSTER_SETTINGS }),
              CLUSTER,
            ],
          ] as Array<[string, () => Engine, string | null]>)
        : []),
    ],
    cleanups,
  };
}
