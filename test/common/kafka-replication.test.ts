// The replication keys of the topics Porthole creates, as the sensor's and the analyzer's
// loaders resolve them: -1 (the broker's default) unless set, and a setting no broker could
// honour (0 copies, more in-sync copies than copies) refused at start-up, naming the key.

import { describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';
import { loadSensorConfig } from '../../sensor/config.js';

const sensor = (env: Record<string, string>) => loadSensorConfig({ env, flags: {}, needSource: false });
const analyzer = (env: Record<string, string>) => loadAnalyzerConfig({ env, flags: {} });
const problems = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('kafka.replicationFactor and kafka.minInsyncReplicas', () => {
  it("default to the broker's own defaults (-1): one broker works as before", () => {
    expect(sensor({}).kafka.replication).toEqual({ factor: -1, minInsync: -1 });
    expect(analyzer({}).kafka.replication).toEqual({ factor: -1, minInsync: -1 });
  });

  it('are read by both processes from the environment', () => {
    const env = { PORTHOLE_KAFKA_REPLICATION_FACTOR: '3', PORTHOLE_KAFKA_MIN_INSYNC_REPLICAS: '2' };
    expect(sensor(env).kafka.replication).toEqual({ factor: 3, minInsync: 2 });
    expect(analyzer(env).kafka.replication).toEqual({ factor: 3, minInsync: 2 });
  });

  it('a min.insync above the replication factor is refused', () => {
    const env = { PORTHOLE_KAFKA_REPLICATION_FACTOR: '2', PORTHOLE_KAFKA_MIN_INSYNC_REPLICAS: '3' };
    expect(problems(() => sensor(env))).toMatch(
      /kafka\.minInsyncReplicas: 3 is more than kafka\.replicationFactor \(2\)/,
    );
    expect(problems(() => analyzer(env))).toMatch(/kafka\.minInsyncReplicas: 3 is more than/);
  });

  it('zero is refused; a min.insync with the broker default factor is left to the broker', () => {
    expect(problems(() => sensor({ PORTHOLE_KAFKA_REPLICATION_FACTOR: '0' }))).toMatch(
      /kafka\.replicationFactor: at least 1/,
    );
    expect(problems(() => analyzer({ PORTHOLE_KAFKA_MIN_INSYNC_REPLICAS: '0' }))).toMatch(
      /kafka\.minInsyncReplicas: at least 1/,
    );
    expect(problems(() => sensor({ PORTHOLE_KAFKA_REPLICATION_FACTOR: '-2' }))).toMatch(/kafka\.replicationFactor/);
    expect(sensor({ PORTHOLE_KAFKA_MIN_INSYNC_REPLICAS: '2' }).kafka.replication).toEqual({ factor: -1, minInsync: 2 });
  });
});
