// The cluster-mode DDL on the current engine (26.x, in-process through `chdb`), which cannot
// take part in the local cluster (it serves no port) nor run ON CLUSTER's queue. What is checked:
// every statement parses there as it is (formatQuery, ON CLUSTER included), then runs there
// without its ON CLUSTER clause on a session configured like a cluster server: the macros, the
// cluster `porthole` (deploy/cluster/clickhouse.xml), and the local cluster's ZooKeeper 3.9, in
// which the replicated tables register; the objects made are those 18.16 makes. The ZooKeeper
// node is started when down and stopped after if this file started it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lit } from '../../analyzer/store/compat.js';
import { AGG_TABLES } from '../../schemas/aggregates.js';
import { clusterSchemaStatements } from '../../schemas/ddl-cluster.js';
import { TABLES } from '../../schemas/tables.js';
import { randomDb } from '../support/clickhouse.js';
import { CLUSTER, clusterCmd } from '../support/clickhouse-cluster.js';

interface Session {
  query(sql: string, format: string): string;
  close(): void;
}

const ZK_PORT = process.env.PORTHOLE_CLUSTER_ZOOKEEPER_PORT ?? '12181';
const TCP_BASE = Number(process.env.PORTHOLE_CLUSTER_CLICKHOUSE_TCP_BASE ?? '19001');
const dir = mkdtempSync(join(tmpdir(), 'porthole-chdb-cluster-'));
const db = randomDb();
let startedZk = false;
let s: Session;

describe('cluster-mode DDL on the current engine (chdb)', () => {
  beforeAll(() => {
    if (clusterCmd('status', 'zookeeper') !== 0) {
      clusterCmd('up', 'zookeeper');
      startedZk = true;
    }
    const replica = (n: number) => `<replica><host>127.0.0.1</host><port>${TCP_BASE + n - 1}</port></replica>`;
    const shard = (a: number, b: number) =>
      `<shard><internal_replication>true</internal_replication>${replica(a)}${replica(b)}</shard>`;
    writeFileSync(
      join(dir, 'config.xml'),
      `<clickhouse>
  <macros><shard>01</shard><replica>chdb-${db}</replica></macros>
  <zookeeper><node><host>127.0.0.1</host><port>${ZK_PORT}</port></node></zookeeper>
  <remote_servers><${CLUSTER}>${shard(1, 2)}${shard(3, 4)}</${CLUSTER}></remote_servers>
</clickhouse>`,
    );
    const { Session } = createRequire(import.meta.url)('chdb') as {
      Session: new (path: string, o: { connectionArgs: string[] }) => Session;
    };
    s = new Session(join(dir, 'data'), { connectionArgs: [`--config-file=${join(dir, 'config.xml')}`] });
  }, 150_000);

  afterAll(() => {
    try {
      s?.query(`DROP DATABASE IF EXISTS ${db} SYNC`, 'TSV');
      s?.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (startedZk) clusterCmd('down', 'zookeeper');
    }
  });

  it('parses every statement and creates every object', () => {
    const stmts = clusterSchemaStatements(db, CLUSTER);
    for (const st of stmts) {
      const formatted = String(s.query(`SELECT formatQuery(${lit(st)})`, 'TSV'));
      expect(formatted).toContain(`ON CLUSTER ${CLUSTER}`);
      s.query(st.replace(` ON CLUSTER ${CLUSTER}`, ''), 'TSV');
    }
    const engines = String(
      s.query(
        `SELECT engine, count() FROM system.tables WHERE database = ${lit(db)} GROUP BY engine ORDER BY engine`,
        'TSV',
      ),
    );
    const views = AGG_TABLES.reduce((n, t) => n + t.sources.length, 0);
    expect(engines.trim().split('\n')).toEqual([
      `Distributed\t${TABLES.length + AGG_TABLES.length}`,
      `MaterializedView\t${views}`,
      `ReplicatedAggregatingMergeTree\t${AGG_TABLES.length}`,
      `ReplicatedReplacingMergeTree\t${TABLES.length}`,
    ]);
  });
});
