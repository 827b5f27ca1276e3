// Poor coverage, as pure parts: the policy.poorCoverage key, the predicate, the alert's field
// and phrase. (With the real analyzer, Kafka and ClickHouse: coverage.int.test.ts.)

import { describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';
import { poorCoverage } from '../../analyzer/policy.js';
import { newServiceAlert } from '../../analyzer/rules.js';
import { ConfigError } from '../../common/errors.js';
import { observation } from '../support/observations.js';

const obs = (loss_checked: number | null, loss_missed: number | null) =>
  observation({ ip: '192.0.2.1', port: 443, window_start: 0, loss_checked, loss_missed });

describe('policy.poorCoverage', () => {
  it('defaults to 0.05 and takes a decimal from the environment', () => {
    expect(loadAnalyzerConfig({ env: {} }).policy.poorCoverage).toBe(0.05);
    expect(loadAnalyzerConfig({ env: { PORTHOLE_POLICY_POOR_COVERAGE: '0.2' } }).policy.poorCoverage).toBe(0.2);
    expect(loadAnalyzerConfig({ env: { PORTHOLE_POLICY_POOR_COVERAGE: '.5' } }).policy.poorCoverage).toBe(0.5);
  });

  it.each(['1.5', '-0.1', '5%', 'abc'])('refuses %s, naming the key', (v) => {
    expect(() => loadAnalyzerConfig({ env: { PORTHOLE_POLICY_POOR_COVERAGE: v } })).toThrow(ConfigError);
    expect(() => loadAnalyzerConfig({ env: { PORTHOLE_POLICY_POOR_COVERAGE: v } })).toThrow(
      /policy\.poorCoverage \(PORTHOLE_POLICY_POOR_COVERAGE\): must be a number 0\.\.1/,
    );
  });

  it('is poor strictly above the threshold; unknown loss is never poor', () => {
    expect(poorCoverage(obs(40, 5), 0.05)).toBe(5 / 80);
    expect(poorCoverage(obs(40, 4), 0.05)).toBe(null); // exactly 5%
    expect(poorCoverage(obs(0, 0), 0)).toBe(null);
    expect(poorCoverage(obs(null, null), 0)).toBe(null);
  });
});

describe('new_service alert', () => {
  it('from a poorly covered window: a field and a phrase', () => {
    const o = obs(40, 10);
    const a = newServiceAlert(o, 'medium', false, 1000, poorCoverage(o, 0.05));
    expect(JSON.parse(a.details)).toMatchObject({ capture_loss: 0.125, poor_coverage: true });
    expect(a.message).toBe(
      "new service 192.0.2.1:443/tcp: 3 handshake(s), 2 client(s), evidence handshake; the sensor's coverage was poor in this window (12.5% of handshake packets missed, 10 of 40 checked handshakes incomplete): it may be newly visible rather than new",
    );
  });

  it('from a well covered window, or one whose loss is unknown: the loss only in the details', () => {
    for (const [checked, missed, loss] of [
      [40, 1, 1 / 80],
      [null, null, null],
    ] as const) {
      const o = obs(checked, missed);
      const a = newServiceAlert(o, 'medium', false, 1000, poorCoverage(o, 0.05));
      expect(JSON.parse(a.details)).toMatchObject({ capture_loss: loss, poor_coverage: false });
      expect(a.message).toBe('new service 192.0.2.1:443/tcp: 3 handshake(s), 2 client(s), evidence handshake');
    }
  });
});
