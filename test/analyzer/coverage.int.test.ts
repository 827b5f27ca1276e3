// Poor coverage, with the real analyzer, Kafka and ClickHouse: a new-service alert raised from a
// window whose sensor missed more handshake packets than policy.poorCoverage says so (a field in
// its details, a phrase in its text); one from a well-covered window, or from a sensor that
// reports no loss counts, does not. End to end: `porthole sensor --pcap` of a capture whose
// mirror lost SYN+ACKs and SYNs reports the loss in its status messages and Observations, and the
// analyzer's alerts say that coverage was poor.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SensorStatus } from '../../schemas/status.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { analyzerStarter, sendObservations as send, until } from '../support/analyzer-run.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { chQuery } from '../support/clickhouse.js';
import { readAlerts, readTopic } from '../support/kafka.js';
import { observation } from '../support/observations.js';
import type { PortholeProc } from '../support/porthole-process.js';
import { BIN } from '../support/porthole.js';
import { ipOf, lossyTraffic } from '../support/scenarios.js';
import { sleep } from '../../common/time.js';

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];
const dir = mkdtempSync(join(tmpdir(), 'porthole-coverage-'));

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
  await env?.cleanup();
  env = null;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const analyzer = analyzerStarter(procs);

type Alert = {
  kind: string;
  ip: string;
  port: number;
  message: string;
  details: { capture_loss: number | null; poor_coverage: boolean };
};

describe('new services from poorly covered windows', () => {
  it('say so above policy.poorCoverage, and only there', async () => {
    env = analyzerEnv();
    const now = Date.now() - 60_000;
    await analyzer(env, { PORTHOLE_POLICY_POOR_COVERAGE: '0.1' });
    await send(env, [
      observation({ ip: '192.0.2.1', port: 443, window_start: now, loss_checked: 40, loss_missed: 10 }), // 12.5%
      observation({ ip: '192.0.2.2', port: 443, window_start: now, loss_checked: 40, loss_missed: 8 }), // 10%: not above
      observation({ ip: '192.0.2.3', port: 443, window_start: now, loss_checked: 0, loss_missed: 0 }), // unknown
      observation({ ip: '192.0.2.4', port: 443, window_start: now }), // an older sensor: no counts
    ]);
    const alerts = (await readAlerts(env.alertsTopic, (m) => m.length >= 4, 30_000)) as Alert[];
    const byIp = new Map(alerts.map((a) => [a.ip, a]));
    expect(alerts.map((a) => a.kind)).toEqual(['new_service', 'new_service', 'new_service', 'new_service']);
    expect(byIp.get('192.0.2.1')!.details).toMatchObject({ capture_loss: 0.125, poor_coverage: true });
    expect(byIp.get('192.0.2.1')!.message).toMatch(
      /coverage was poor in this window \(12\.5% of handshake packets missed, 10 of 40 checked handshakes incomplete\): it may be newly visible rather than new$/,
    );
    expect(byIp.get('192.0.2.2')!.details).toMatchObject({ capture_loss: 0.1, poor_coverage: false });
    expect(byIp.get('192.0.2.3')!.details).toMatchObject({ capture_loss: null, poor_coverage: false });
    expect(byIp.get('192.0.2.4')!.details).toMatchObject({ capture_loss: null, poor_coverage: false });
    for (const ip of ['192.0.2.2', '192.0.2.3', '192.0.2.4']) expect(byIp.get(ip)!.message).not.toMatch(/coverage/);
    // stored with the Observations (new columns: the store adds them to an older table)
    type Stored = { ip: string; loss_checked: number | null; loss_missed: number | null };
    const query = `SELECT ip, loss_checked, loss_missed FROM ${env.db}.observations ORDER BY ip`;
    let stored: Stored[] = [];
    await until(async () => {
      stored = await chQuery<Stored>(query);
      return stored.length >= 4;
    }, 30_000);
    expect(stored.map((r) => [r.ip, r.loss_checked, r.loss_missed])).toEqual([
      ['192.0.2.1', 40, 10],
      ['192.0.2.2', 40, 8],
      ['192.0.2.3', 0, 0],
      ['192.0.2.4', null, null],
    ]);
  });

  it('end to end: a sensor reading a lossy capture reports the loss, and the analyzer alerts with it', async () => {
    env = analyzerEnv();
    const t0 = Math.floor((Date.now() - 120_000) / 5000) * 5000; // windows of 5 s: 50 and 10 connections
    const lossy = lossyTraffic(t0);
    const file = join(dir, 'lossy.pcap');
    writeFileSync(
      file,
      pcapFile(
        lossy.segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
        { linktype: 1 },
      ),
    );
    await analyzer(env);
    const sensor = spawnSync(
      process.execPath,
      [BIN, 'sensor', '--pcap', file, '--window', '5s', '--sensor-id', 'lossy', '--status-interval', '1s'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...env.env, PORTHOLE_KAFKA_STATUS_TOPIC: env.statusTopic },
        timeout: 60_000,
      },
    );
    expect(sensor.status, sensor.stderr).toBe(0);

    // the status message (the last one, after the whole file) carries the totals
    const statuses = (await readTopic(
      env.statusTopic,
      (m) => (m as SensorStatus[]).some((s) => s.handshake_loss.checked === lossy.checked),
      30_000,
    )) as SensorStatus[];
    const last = statuses[statuses.length - 1];
    expect(last.handshake_loss).toMatchObject({
      checked: lossy.checked,
      missed_syn: lossy.missedSyn,
      missed_synack: lossy.missedSynAck,
    });
    const sum = statuses.reduce((n, s) => n + s.handshake_loss.interval_missed, 0);
    expect(sum).toBe(lossy.missedSyn + lossy.missedSynAck); // the intervals add up to the totals

    // 9 home endpoints, every one first seen in a window that lost over 5% of its handshake packets
    const alerts = (await readAlerts(env.alertsTopic, (m) => m.length >= 9, 60_000)) as Alert[];
    await sleep(2000);
    expect(alerts).toHaveLength(9);
    for (const a of alerts) {
      expect(a.details.poor_coverage, a.message).toBe(true);
      expect(a.details.capture_loss).toBeGreaterThan(0.05);
      expect(a.message).toMatch(/it may be newly visible rather than new$/);
    }
  });
});
