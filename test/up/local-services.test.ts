// Which Kafka and ClickHouse `porthole up` may start: only those the configuration names on
// loopback at deploy/local.sh's ports (either listener); any other is someone else's to run.
// And the rates `porthole status` reads from a part's metrics page.

import { describe, expect, it } from 'vitest';
import { localPort } from '../../up/local-services.js';
import { sumMetric } from '../../up/part-rates.js';

const at = (brokers: string[], clickhouseUrl = 'http://127.0.0.1:8123') => ({ brokers, clickhouseUrl });

describe('local services', () => {
  it('Kafka is local when every broker is a loopback address at a local.sh port', () => {
    expect(localPort('kafka', at(['127.0.0.1:9092']), {})).toBe(9092);
    expect(localPort('kafka', at(['localhost:9094']), {})).toBe(9092);
    expect(localPort('kafka', at(['[::1]:9092']), {})).toBe(9092);
    expect(localPort('kafka', at(['127.0.0.1:9092', 'kafka2:9092']), {})).toBeNull();
    expect(localPort('kafka', at(['127.0.0.1:19092']), {})).toBeNull();
    expect(localPort('kafka', at(['127.0.0.1:19092']), { PORTHOLE_KAFKA_PORT: '19092' })).toBe(19092);
  });

  it('ClickHouse is local at 127.0.0.1/localhost on its HTTP or HTTPS port', () => {
    expect(localPort('clickhouse', at([], 'http://127.0.0.1:8123'), {})).toBe(8123);
    expect(localPort('clickhouse', at([], 'https://localhost:8443'), {})).toBe(8123);
    expect(localPort('clickhouse', at([], 'http://ch.example:8123'), {})).toBeNull();
    expect(localPort('clickhouse', at([], 'http://127.0.0.1:18123'), {})).toBeNull();
  });
});

describe('part rates', () => {
  const page = [
    '# HELP porthole_packets_total Frames.',
    '# TYPE porthole_packets_total counter',
    'porthole_packets_total 1200',
    'porthole_packets_total_extra 5',
    '# TYPE porthole_verifications_total counter',
    'porthole_observations_consumed_total{partition="0"} 3',
    'porthole_observations_consumed_total{partition="1"} 4.5',
  ].join('\n');

  it('sums the samples of one metric, 0 when declared without samples, null when absent', () => {
    expect(sumMetric(page, 'porthole_packets_total')).toBe(1200);
    expect(sumMetric(page, 'porthole_observations_consumed_total')).toBe(7.5);
    expect(sumMetric(page, 'porthole_verifications_total')).toBe(0);
    expect(sumMetric(page, 'porthole_nothing_total')).toBeNull();
  });
});
