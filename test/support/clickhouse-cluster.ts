// The local ClickHouse cluster (deploy/local.sh --cluster: ZooKeeper and four servers, 2 shards x
// 2 replicas) for tests: bring its parts up when down and stop, afterwards, only what this test
// started (others may be using a cluster that was running); stop and start one server; query
// one server directly.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HTTP_BASE = Number(process.env.PORTHOLE_CLUSTER_CLICKHOUSE_HTTP_BASE ?? '18123');

/** The cluster's name in the servers' remote_servers. */
export const CLUSTER = 'porthole';
/** Node n's HTTP URL (1..4; shard 1 = nodes 1, 2; shard 2 = nodes 3, 4). */
export const nodeUrl = (n: number): string => `http://127.0.0.1:${HTTP_BASE + n - 1}`;

/** `deploy/local.sh CMD --cluster PARTS…`; throws with its output when it fails (status: returns the code). */
export function clusterCmd(cmd: 'up' | 'down' | 'status', ...parts: string[]): number {
  const r = spawnSync('bash', ['deploy/local.sh', cmd, '--cluster', ...parts], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (cmd !== 'status' && r.status !== 0)
    throw new Error(`deploy/local.sh ${cmd} --cluster ${parts.join(' ')} failed: ${r.stdout}${r.stderr}`);
  return r.status ?? -1;
}

const PARTS = ['zookeeper', 'clickhouse-1', 'clickhouse-2', 'clickhouse-3', 'clickhouse-4'];

/** Starts the parts that are down; returns what stops them again (none if all were running). */
export function ensureClusterClickHouse(): () => void {
  const down = PARTS.filter((p) => clusterCmd('status', p) !== 0);
  if (down.length) clusterCmd('up', ...down);
  return () => {
    for (const p of [...down].reverse()) clusterCmd('down', p);
  };
}

/** A SELECT on one server, rows as objects (JSONEachRow). */
export async function nodeQuery<T>(n: number, sql: string): Promise<T[]> {
  const res = await fetch(`${nodeUrl(n)}/?default_format=JSONEachRow`, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(`clickhouse-${n}: ${text}`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

/** A statement on one server. */
export async function nodeCommand(n: number, sql: string): Promise<void> {
  const res = await fetch(`${nodeUrl(n)}/`, { method: 'POST', body: sql });
  if (!res.ok) throw new Error(`clickhouse-${n}: ${await res.text()}`);
}

/** Polls `fn` until it returns true, at most `ms`. */
export async function until(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}
