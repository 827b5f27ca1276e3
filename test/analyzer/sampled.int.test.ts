// Observations from sFlow samples, with the real analyzer, Kafka and ClickHouse: one with evidence
// "sampled" is accepted and stored with its sampling rate, and its new-service alert says its
// counts are estimates; one from a sensor made before sFlow (no sampling_rate at all) is accepted
// as mirrored (null); one that says "sampled" without a rate is refused (no alert, not stored).

import { afterEach, describe, expect, it } from 'vitest';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { analyzerStarter, sendObservations as send, until } from '../support/analyzer-run.js';
import { chQuery } from '../support/clickhouse.js';
import { readAlerts } from '../support/kafka.js';
import { observation } from '../support/observations.js';
import type { PortholeProc } from '../support/porthole-process.js';

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
  await env?.cleanup();
  env = null;
});

const analyzer = analyzerStarter(procs);

type Alert = { ip: string; message: string; details: { evidence: string; sampling_rate: number | null } };

describe('sampled Observations', () => {
  it('are stored with their sampling rate and alerted as estimates; older ones stay valid', async () => {
    env = analyzerEnv();
    const now = Date.now() - 60_000;
    await analyzer(env);
    const older = observation({ ip: '192.0.2.2', port: 22, window_start: now }) as Partial<
      ReturnType<typeof observation>
    >;
    delete older.sampling_rate;
    await send(env, [
      observation({
        ip: '192.0.2.1',
        port: 443,
        window_start: now,
        evidence: 'sampled',
        sampling_rate: 512,
        handshakes: 1536,
      }),
      older as ReturnType<typeof observation>,
      observation({ ip: '192.0.2.3', port: 80, window_start: now, evidence: 'sampled' }), // no rate: invalid
    ]);
    const alerts = (await readAlerts(env.alertsTopic, (m) => m.length >= 2, 30_000)) as Alert[];
    const byIp = new Map(alerts.map((a) => [a.ip, a]));
    expect([...byIp.keys()].sort()).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(byIp.get('192.0.2.1')!.message).toMatch(
      /1536 handshake\(s\) \(estimated from 1-in-512 samples\), 2 client\(s\), evidence sampled/,
    );
    expect(byIp.get('192.0.2.1')!.details).toMatchObject({ evidence: 'sampled', sampling_rate: 512 });
    expect(byIp.get('192.0.2.2')!.details).toMatchObject({ evidence: 'handshake', sampling_rate: null });
    expect(byIp.get('192.0.2.2')!.message).not.toMatch(/estimated/);

    type Stored = { ip: string; evidence: string; sampling_rate: number | null; handshakes: number };
    let stored: Stored[] = [];
    await until(async () => {
      stored = await chQuery<Stored>(
        `SELECT ip, evidence, sampling_rate, handshakes FROM ${env!.db}.observations ORDER BY ip`,
      );
      return stored.length >= 2;
    }, 30_000);
    expect(stored.map((r) => [r.ip, r.evidence, r.sampling_rate, Number(r.handshakes)])).toEqual([
      ['192.0.2.1', 'sampled', 512, 1536],
      ['192.0.2.2', 'handshake', null, 3],
    ]);
  });
});
