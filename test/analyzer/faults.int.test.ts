// Faults under a steady stream of Observations (with resent duplicates, as a sensor may send):
// ClickHouse stopped for 20 s, the analyzer SIGKILLed and restarted, Kafka restarted. Each run
// ends with the inventory equal to the truth (nothing lost, nothing double-counted) and exactly
// one alert per new endpoint. Malformed messages land in the dead-letter topic with a reason.
// Restarts the shared local ClickHouse and Kafka: integration files run one at a time.

import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { kafkaClient, readAlerts, readTopicMeta } from '../support/kafka.js';
import { inventoryOf, observation, sendRetrying, truthOf } from '../support/observations.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import type { Observation } from '../../schemas/observation.js';
import { sleep } from '../../common/time.js';

const local = (...a: string[]): string =>
  execFileSync('bash', ['deploy/local.sh', ...a], { encoding: 'utf8', timeout: 120_000 });

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop('SIGKILL');
  local('up', 'kafka');
  local('up', 'clickhouse');
  await env?.cleanup();
  env = null;
});
afterAll(() => {
  local('up', 'kafka');
  local('up', 'clickhouse');
});

function stream(): Observation[] {
  const base = Date.now() - 600_000;
  const obs: Observation[] = [];
  for (let w = 0; w < 15; w++) {
    for (let e = 0; e < 40; e++) {
      const o = observation({
        ip: `192.0.2.${1 + (e % 20)}`,
        port: 8000 + e,
        window_start: base + w * 5000,
        handshakes: 1 + ((e + w) % 4),
        clients: 1 + (e % 3),
      });
      obs.push(o);
      if ((e + w) % 10 === 0) obs.push(o); // a resend
    }
  }
  return obs;
}

async function runWithFault(fault: (a: { restartAnalyzer: () => Promise<void> }) => Promise<void>): Promise<void> {
  env = analyzerEnv();
  const e = env;
  const start = async (): Promise<void> => {
    const p = startPorthole(['analyzer'], e.env);
    procs.push(p);
    await p.waitFor((l) => l.msg === 'joined consumer group', 60_000);
  };
  await start();
  const producer = kafkaClient().producer();
  await producer.connect();
  const obs = stream();
  const deadline = Date.now() + 120_000;
  const chunks: Observation[][] = [];
  for (let i = 0; i < obs.length; i += 25) chunks.push(obs.slice(i, i + 25));
  let faultDone: Promise<void> | null = null;
  for (let i = 0; i < chunks.length; i++) {
    if (i === Math.floor(chunks.length / 3)) {
      faultDone = fault({
        restartAnalyzer: async () => {
          await procs[procs.length - 1].stop('SIGKILL');
          await start();
        },
      });
    }
    await sendRetrying(
      producer,
      e.obsTopic,
      chunks[i].map((o) => ({ key: o.ip, value: JSON.stringify(o) })),
      deadline,
    );
    await sleep(400);
  }
  await faultDone;
  await producer.disconnect();

  const truth = truthOf(obs);
  let inv = new Map<string, unknown>();
  while (Date.now() < deadline + 60_000) {
    try {
      inv = inventoryOf(e.services());
      if (JSON.stringify([...inv].sort()) === JSON.stringify([...truth].sort())) break;
    } catch {
      /* store restarting */
    }
    await sleep(1000);
  }
  expect(Object.fromEntries([...inv].sort())).toEqual(Object.fromEntries([...truth].sort()));
  const alerts = (await readTopicMeta(e.alertsTopic, (m) => m.length >= 40, 30_000)).map(
    (x) => (x.value as { porthole: { alert_id: string } }).porthole,
  );
  await sleep(4000);
  const all = (await readAlerts(e.alertsTopic, (m) => m.length >= 40, 10_000)) as Array<{ alert_id: string }>;
  expect(new Set(alerts.map((a) => a.alert_id)).size).toBe(40);
  expect(all.length).toBe(40);
}

describe('analyzer under faults', () => {
  it('ClickHouse stopped for 20 s mid-stream', async () => {
    await runWithFault(async () => {
      local('down', 'clickhouse');
      await sleep(20_000);
      local('up', 'clickhouse');
    });
  }, 180_000); // bounded: its stream and each wait have deadlines

  it('analyzer SIGKILLed mid-stream and restarted', async () => {
    await runWithFault(async ({ restartAnalyzer }) => {
      await sleep(1500);
      await restartAnalyzer();
    });
  }, 180_000); // bounded: its stream and each wait have deadlines

  it('Kafka restarted mid-stream', async () => {
    await runWithFault(async () => {
      local('down', 'kafka');
      await sleep(3000);
      local('up', 'kafka');
    });
  }, 180_000); // bounded: its stream and each wait have deadlines

  it('malformed messages go to the dead-letter topic with their reason', async () => {
    env = analyzerEnv();
    const p = startPorthole(['analyzer'], env.env);
    procs.push(p);
    await p.waitFor((l) => l.msg === 'joined consumer group', 60_000);
    const producer = kafkaClient().producer();
    await producer.connect();
    const good = observation({ ip: '192.0.2.50', port: 443, window_start: Date.now() - 60_000 });
    await producer.send({
      topic: env.obsTopic,
      messages: [
        { key: 'a', value: 'this is not json {' },
        { key: 'b', value: JSON.stringify({ ...good, v: 99 }) },
        { key: 'c', value: JSON.stringify({ ...good, port: 'https', handshakes: -1 }) },
        { key: 'd', value: JSON.stringify({ ...good, sensor: 'x'.repeat(100_000) }) },
        { key: 'e', value: JSON.stringify(good) },
      ],
    });
    await producer.disconnect();
    const consumer = kafkaClient().consumer({ groupId: `dlq-reader-${Date.now()}` });
    const reasons: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: env.dlqTopic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          reasons.push(String(message.headers?.['porthole-reason']));
          if (reasons.length >= 4) {
            clearTimeout(t);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(reasons.sort()).toEqual(['invalid', 'not_json', 'too_large', 'wrong_version']);
    // the good message behind them was stored: the partition did not stall
    for (let i = 0; i < 30 && env.services().length === 0; i++) await sleep(1000);
    expect(env.services().map((r) => `${r.ip}|${r.port}`)).toEqual(['192.0.2.50|443']);
  });
});
