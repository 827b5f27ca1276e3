// Pure analyzer pieces: the committed DDL matches schemas/, literal escaping, CIDR policy,
// detection decisions.

import { figures } from '../../analyzer/report.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Detector } from '../../analyzer/detect.js';
import { EndpointTable } from '../../analyzer/state/endpoint-table.js';
import { AnalyzerError } from '../../analyzer/errors.js';
import { toObservationRow } from '../../analyzer/observation-row.js';
import { cidrRangeHex, inCidr, isExpected, isScannerProbe, parseCidr } from '../../analyzer/policy.js';
import { serviceChangedAlert } from '../../analyzer/rules.js';
import { errorCode, ident, lit, u64 } from '../../analyzer/store/compat.js';
import { schemaSql } from '../../schemas/ddl.js';
import { observation } from '../support/observations.js';

describe('generated DDL', () => {
  it('schemas/generated/clickhouse.sql is what schemas/ generates (regenerate: porthole schema > schemas/generated/clickhouse.sql)', () => {
    expect(readFileSync(new URL('../../schemas/generated/clickhouse.sql', import.meta.url), 'utf8')).toBe(schemaSql());
  });
});

describe('compat', () => {
  it('escapes literals', () => {
    expect(lit("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(lit('x\ny\0')).toBe("'x\\x0ay\\x00'");
    expect(lit(42)).toBe('42');
    expect(() => lit(NaN)).toThrow(AnalyzerError);
    expect(() => ident('db; DROP')).toThrow(AnalyzerError);
  });
  it('reads UInt64 either way and error codes from text', () => {
    expect(u64('18446744')).toBe(18446744);
    expect(u64(5)).toBe(5);
    expect(errorCode(new Error('Code: 60, e.displayText() = DB::Exception: Table x does not exist'))).toBe(60);
  });
});

describe('policy', () => {
  it('CIDR membership over both families', () => {
    const n = parseCidr('10.1.0.0/16')!;
    expect(inCidr('10.1.200.3', n)).toBe(true);
    expect(inCidr('10.2.0.1', n)).toBe(false);
    expect(inCidr('2001:db8::1', parseCidr('2001:db8::/32')!)).toBe(true);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(cidrRangeHex(parseCidr('192.0.2.0/24')!)).toEqual([
      '00000000000000000000ffffc0000200',
      '00000000000000000000ffffc00002ff',
    ]);
  });
});

describe('policy predicates and the stored row', () => {
  it('expected services, scanner probes, client_outside and day', () => {
    const expected = [{ net: parseCidr('192.0.2.0/24')!, port: 443 }];
    expect(isExpected('192.0.2.9', 443, expected)).toBe(true);
    expect(isExpected('192.0.2.9', 80, expected)).toBe(false);
    const o = observation({ ip: '192.0.2.1', port: 22, window_start: 86_400_000 + 5, clients: 1 });
    expect(isScannerProbe(o, new Set([o.sample_client]))).toBe(true);
    expect(isScannerProbe({ ...o, clients: 2 }, new Set([o.sample_client]))).toBe(false);
    const r = toObservationRow({ ...o }, [parseCidr('192.0.2.0/24')!], 7, { partition: 2, offset: 9 });
    expect([r.day, r.client_outside, r.ingested_at, r.kafka_partition, r.kafka_offset]).toEqual([
      '1970-01-02',
      1,
      7,
      2,
      9,
    ]);
  });
});

describe('alert rules and derived states', () => {
  it('ids are deterministic', () => {
    const a = serviceChangedAlert(
      { ip: '2001:db8::1', proto: 'tcp', port: 22 },
      { before: 'a', after: 'b', cpe: '' },
      5,
    );
    expect([a.alert_id, a.message, a.day]).toEqual([
      'service_changed|2001:db8::1|tcp|22|5',
      '[2001:db8::1]:22/tcp changed from "a" to "b"',
      '1970-01-01',
    ]);
  });
});

describe('Detector', () => {
  const policy = {
    homeNetworks: [parseCidr('192.0.2.0/24')!],
    learningPeriodMs: 0,
    expected: [],
    highRiskPorts: new Set([22]),
    synProxyPorts: 100,
    staleAfterMs: 1000,
    owners: [],
  };
  const noGuard = { learningUntil: 0, firstStart: 0, guardUntil: 0, guardLimit: 0, guardCount: 0 };
  it('alerts once per endpoint, ignores outside addresses, reopens after stale', () => {
    const d = new Detector(policy, noGuard);
    const o = observation({ ip: '192.0.2.1', port: 22, window_start: 1000, first_seen: 1000, last_seen: 1500 });
    const first = d.apply([o, o, observation({ ip: '203.0.113.1', port: 80, window_start: 1000 })], 2000);
    expect(first.alerts.map((a) => a.alert_id)).toEqual(['new_service|192.0.2.1|tcp|22']);
    const event = (e: { ts: number; event: string; reason: string }) => `${e.event}@${e.ts}:${e.reason}`;
    expect(first.exposures.map(event)).toEqual(['open@1000:new']);
    expect(d.apply([o], 2100)).toMatchObject({ alerts: [], exposures: [] });
    const stale = d.sweepStale(10_000);
    expect(stale.states.map((s) => s.state)).toEqual(['stale']);
    expect(stale.exposures.map(event)).toEqual(['close@1500:stale']);
    expect(d.apply([o], 10_100).alerts).toEqual([]); // a redelivered old window does not reopen
    const r = d.apply([{ ...o, window_start: 10_000, first_seen: 10_010, last_seen: 10_500 }], 10_600);
    expect(r.alerts.map((a) => a.kind)).toEqual(['reopened_service']);
    expect(r.states[0].state).toBe('reopened');
    expect(r.exposures.map(event)).toEqual(['open@10010:seen_again']);
  });

  it('an analyzer cut off from its Observations turns nothing stale: each partition is judged on its newest sighting', () => {
    const d = new Detector(policy, noGuard);
    const seen = (ip: string, at: number) =>
      observation({ ip, port: 80, window_start: at - 400, first_seen: at - 400, last_seen: at });
    const partitionOf = (ip: string) => (ip === '192.0.2.9' ? 1 : 0);
    d.apply([seen('192.0.2.1', 1500), seen('192.0.2.2', 1500)], 1600, 0);
    d.apply([seen('192.0.2.9', 1500)], 1600, 1);
    // nothing arrives for longer than staleAfter (Kafka down, a rebalance, a restart): the analyzer
    // knows nothing newer than 1500, so nothing is stale yet
    expect(d.sweepStale(2800, partitionOf).states).toEqual([]);
    // the backlog arrives: the endpoints were seen all along, so no reopened alert
    const back = d.apply([seen('192.0.2.1', 2900), seen('192.0.2.2', 2900)], 3000, 0);
    expect(back.alerts).toEqual([]);
    expect(d.apply([seen('192.0.2.9', 2900)], 3000, 1).alerts).toEqual([]);
    // partition 0 goes on without 192.0.2.2: it is stale on its partition's clock, while
    // 192.0.2.9, as old but of partition 1 (not newer than 2900 yet), is not
    d.apply([seen('192.0.2.1', 4000)], 4100, 0);
    expect(d.sweepStale(4100, partitionOf).states.map((s) => `${s.ip}|${s.state}`)).toEqual(['192.0.2.2|stale']);
    // a partition silent for longer than staleAfter falls back to the wall clock less staleAfter
    expect(d.sweepStale(5600, partitionOf).states.map((s) => s.ip)).toEqual(['192.0.2.9']);
    // seen again after being stale: one reopened alert
    expect(d.apply([seen('192.0.2.2', 5700)], 5800, 0).alerts.map((a) => a.kind)).toEqual(['reopened_service']);
  });

  it('first start: at most firstStartLimit new-service alerts in its window, then baseline with one notice', () => {
    const d = new Detector(policy, {
      learningUntil: 0,
      firstStart: 1000,
      guardUntil: 61_000,
      guardLimit: 3,
      guardCount: 1,
    });
    const obs = Array.from({ length: 6 }, (_, i) =>
      observation({ ip: `192.0.2.${i + 1}`, port: 80, window_start: 1000 }),
    );
    const r = d.apply(obs, 2000);
    expect(r.alerts.map((a) => a.kind)).toEqual(['new_service', 'new_service', 'first_start_baseline']);
    expect(r.states.map((s) => s.reason)).toEqual([
      'alerted',
      'alerted',
      'baseline',
      'baseline',
      'baseline',
      'baseline',
    ]);
    expect(d.baselineTripped).toBe(true);
    // after the window, new services alert again
    const later = d.apply([observation({ ip: '192.0.2.50', port: 80, window_start: 61_000 })], 62_000);
    expect(later.alerts.map((a) => a.kind)).toEqual(['new_service']);
  });

  it('holds what it is given: replace() swaps the table and the flagged hosts', () => {
    const d = new Detector(policy, noGuard);
    const o = observation({ ip: '192.0.2.1', port: 22, window_start: 1000 });
    const t = new EndpointTable();
    t.put({
      ip: '192.0.2.1',
      proto: 'tcp',
      port: 22,
      state: 'active',
      since: 1,
      first_seen: 1,
      last_seen: 1,
      reason: 'learning',
      version: 1,
    });
    d.replace(t, ['192.0.2.7']);
    expect(d.size).toBe(1);
    expect(d.apply([o], 2000).alerts).toEqual([]);
    expect(d.apply([observation({ ip: '192.0.2.7', port: 1, window_start: 1000 })], 2000).alerts).toEqual([]);
  });

  it('setExpected: endpoints applied after the swap use the new expected services', () => {
    const d = new Detector(policy, noGuard);
    const obs = (i: number) => observation({ ip: `192.0.2.${i}`, port: 8443, window_start: 1000 });
    expect(d.apply([obs(1)], 2000).alerts.length).toBe(1);
    d.setExpected([{ net: parseCidr('192.0.2.0/25')!, port: 8443 }]);
    const r = d.apply([obs(2), obs(200)], 3000);
    expect(r.alerts.map((a) => a.ip)).toEqual(['192.0.2.200']);
    expect(r.states.map((s) => `${s.ip}|${s.state}|${s.reason}`)).toEqual([
      '192.0.2.2|active|expected',
      '192.0.2.200|new|alerted',
    ]);
    // an expected endpoint that went stale and is seen again raises no reopened alert either
    d.sweepStale(100_000);
    const again = d.apply([{ ...obs(1), window_start: 200_000, first_seen: 200_000, last_seen: 200_500 }], 200_600);
    expect(again.states.map((s) => s.state)).toEqual(['reopened']);
    expect(again.alerts).toEqual([]);
  });
});

describe('lifecycle figures (porthole report)', () => {
  it('median and 90th percentile per owner, from the exposure start', () => {
    const rows = [
      { alert_id: 'a', owner: 'web', ts: 100, start: 40, ack: 160, closed: 1040 },
      { alert_id: 'b', owner: 'web', ts: 300, start: 100, ack: null, closed: null },
      { alert_id: 'c', owner: '', ts: 50, start: null, ack: 70, closed: 90 },
    ];
    expect(figures(rows)).toEqual([
      {
        owner: '',
        alerts: 1,
        open: 0,
        start_to_alert: { n: 0, median_ms: null, p90_ms: null },
        start_to_ack: { n: 0, median_ms: null, p90_ms: null },
        start_to_close: { n: 0, median_ms: null, p90_ms: null },
      },
      {
        owner: 'web',
        alerts: 2,
        open: 1,
        start_to_alert: { n: 2, median_ms: 60, p90_ms: 200 },
        start_to_ack: { n: 1, median_ms: 120, p90_ms: 120 },
        start_to_close: { n: 1, median_ms: 1000, p90_ms: 1000 },
      },
    ]);
  });
});
