// What the demo makes outside its folder and removes again: its topics and consumer groups in
// Kafka and its database in ClickHouse; and the small waits it is built from. Removal is best
// effort: each failure is one line saying what was left behind, never a reason to stop cleaning.

import { createServer } from 'node:net';
import type { AnalyzerConfig } from '../analyzer/config.js';
import type { Store } from '../analyzer/store/store.js';
import { errorMessage } from '../common/errors.js';
import { kafkaClient } from '../common/kafka.js';
import { statusGroupOf } from '../analyzer/status-consumer.js';
import { sleep } from '../common/time.js';
import type { DemoNames } from './configs.js';
import { UpError } from '../up/errors.js';

/** Delete the run's topics and consumer groups; the lines of what could not be. */
export async function removeKafkaNames(k: AnalyzerConfig['kafka'], n: DemoNames): Promise<string[]> {
  const admin = kafkaClient({ brokers: k.brokers, clientId: 'porthole-demo', security: k.security }).admin();
  const left: string[] = [];
  try {
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${n.topicPrefix}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
    await admin.deleteGroups([n.groups.analyzer, statusGroupOf(n.groups.analyzer), n.groups.verifier]).catch(() => {}); // none may exist
  } catch (err) {
    left.push(`kafka topics ${n.topicPrefix}.* not all deleted: ${errorMessage(err)}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  return left;
}

export async function dropDatabase(store: Store): Promise<string[]> {
  try {
    await store.command('drop the demo database', `DROP DATABASE IF EXISTS ${store.db}${store.onCluster}`);
    return [];
  } catch (err) {
    return [`database ${store.db} not dropped: ${errorMessage(err)}`];
  }
}

/** `preferred` when nothing listens on it on 127.0.0.1, else a free port the system picks. */
export async function freePort(preferred: number): Promise<number> {
  const tryPort = (p: number): Promise<number | null> =>
    new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(null));
      s.listen({ host: '127.0.0.1', port: p }, () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => resolve(got));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0))!;
}

/** Thrown when the demo is asked to stop while it waits. */
export class Stopped extends Error {}

/** `check()` until it gives a value; DEMO_TIMEOUT naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | null>,
  timeoutMs: number,
  abort: AbortSignal,
  everyMs = 500,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (abort.aborted) throw new Stopped();
    const v = await check().catch((err) => {
      last = errorMessage(err);
      return null;
    });
    if (v !== null) return v;
    if (Date.now() > end)
      throw new UpError('DEMO_TIMEOUT', `the demo waited ${timeoutMs / 1000} s for ${what}${last ? ` (${last})` : ''}`);
    await sleep(everyMs);
  }
}
