// One isolated analyzer setup per test: random ClickHouse database, random topics and group.

import { randomBytes } from 'node:crypto';
import { porthole } from './porthole.js';
import { CH_URL, dropDb, randomDb } from './clickhouse.js';
import { BROKERS, deleteTopics, randomTopic } from './kafka.js';

export interface AnalyzerEnv {
  db: string;
  obsTopic: string;
  dlqTopic: string;
  alertsTopic: string;
  verifyRequestsTopic: string;
  /** the sensors' health messages: the analyzer reads them, a sensor the test runs beside it sends them */
  statusTopic: string;
  env: Record<string, string>;
  services(extra?: string[]): Array<Record<string, unknown>>;
  cleanup(): Promise<void>;
}

export function analyzerEnv(extra: Record<string, string> = {}): AnalyzerEnv {
  const db = randomDb();
  const obsTopic = randomTopic('obs');
  const dlqTopic = randomTopic('dlq');
  const alertsTopic = randomTopic('alerts');
  const verifyRequestsTopic = randomTopic('verify');
  const statusTopic = `${obsTopic}.status`;
  const env = {
    PORTHOLE_CLICKHOUSE_URL: CH_URL,
    PORTHOLE_CLICKHOUSE_DATABASE: db,
    PORTHOLE_KAFKA_BROKERS: BROKERS.join(','),
    PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: obsTopic,
    PORTHOLE_KAFKA_DEAD_LETTER_TOPIC: dlqTopic,
    PORTHOLE_KAFKA_ALERTS_TOPIC: alertsTopic,
    PORTHOLE_KAFKA_VERIFY_REQUESTS_TOPIC: verifyRequestsTopic,
    PORTHOLE_KAFKA_GROUP_ID: `porthole-test-${randomBytes(4).toString('hex')}`,
    PORTHOLE_KAFKA_VERIFIER_GROUP_ID: `porthole-test-verifier-${randomBytes(4).toString('hex')}`,
    PORTHOLE_KAFKA_STATUS_TOPIC: statusTopic,
    PORTHOLE_POLICY_HOME_NETWORKS: '192.0.2.0/24,2001:db8::/32',
    ...extra,
  };
  return {
    db,
    obsTopic,
    dlqTopic,
    alertsTopic,
    verifyRequestsTopic,
    statusTopic,
    env,
    services(args = []) {
      const r = porthole(['services', '--json', '--clickhouse', CH_URL, '--database', db, ...args]);
      if (r.status !== 0) throw new Error(`services failed: ${r.stderr}`);
      return r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
    async cleanup() {
      await dropDb(db);
      await deleteTopics([obsTopic, dlqTopic, alertsTopic, verifyRequestsTopic, statusTopic]);
    },
  };
}
