// The local three-node Kafka cluster (deploy/cluster/kafka.sh) for tests: its brokers, a client
// on them, starting what is down and stopping afterwards only what a test started, and killing
// one node (SIGKILL, by its pid file) to start it again.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { deleteTopics } from './kafka.js';

const BASE = Number(process.env.PORTHOLE_CLUSTER_KAFKA_BASE ?? 19092);
const HOME =
  process.env.PORTHOLE_CLUSTER_HOME ?? join(process.env.PORTHOLE_HOME ?? join(homedir(), '.porthole'), 'cluster');

export const NODES = [1, 2, 3] as const;
export type KafkaNode = (typeof NODES)[number];

export const CLUSTER_BROKERS = NODES.map((n) => `127.0.0.1:${BASE + n - 1}`);

export function clusterKafka(): Kafka {
  return new Kafka({ clientId: 'porthole-test', brokers: CLUSTER_BROKERS, logLevel: logLevel.NOTHING });
}

/** deploy/local.sh CMD --cluster PARTS (bounded: an `up` waits for registration itself). */
export function clusterCmd(cmd: 'up' | 'down', parts: string[]): string {
  return execFileSync('bash', ['deploy/local.sh', cmd, '--cluster', ...parts], { encoding: 'utf8', timeout: 150_000 });
}

export function nodeRunning(n: KafkaNode): boolean {
  return spawnSync('bash', ['deploy/local.sh', 'status', '--cluster', `kafka-${n}`]).status === 0;
}

/**
 * Brings every node up; returns a function that stops the nodes that were down before (and
 * starts again any that was running before but is down now).
 */
export function ensureClusterKafka(): () => void {
  const before = NODES.filter(nodeRunning);
  clusterCmd('up', ['kafka']);
  return () => {
    const wasDown = NODES.filter((n) => !before.includes(n));
    const lost = before.filter((n) => !nodeRunning(n));
    if (lost.length)
      clusterCmd(
        'up',
        lost.map((n) => `kafka-${n}`),
      );
    if (wasDown.length)
      clusterCmd(
        'down',
        wasDown.map((n) => `kafka-${n}`),
      );
  };
}

/** SIGKILL one node, as a crash. */
export function killNode(n: KafkaNode): void {
  const pid = Number(readFileSync(join(HOME, `kafka-${n}`, 'kafka.pid'), 'utf8').trim());
  process.kill(pid, 'SIGKILL');
}

/** Deletes the topics that exist on the cluster. */
export const deleteClusterTopics = (topics: string[]): Promise<void> => deleteTopics(topics, clusterKafka());
