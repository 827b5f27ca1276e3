// Alert storms, with the real analyzer, Kafka and ClickHouse: 200,000 new endpoints arrive at
// once with a webhook and a Slack-style receiver configured. The receivers get digests, never
// more messages than the rate limit allows; every alert is stored exactly once; the backlog
// drains to both receivers and the Kafka alerts topic; an analyzer SIGKILLed in the middle and
// started again loses nothing. Then two analyzers in one group each hold only the endpoints of
// their own partitions, and after a rebalance the one left holds them all.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import type { Observation } from '../../schemas/observation.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { chQuery } from '../support/clickhouse.js';
import { kafkaClient } from '../support/kafka.js';
import { observation } from '../support/observations.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop('SIGKILL');
  for (const s of servers.splice(0)) s.close();
  await env?.cleanup();
  env = null;
});

interface Receiver {
  url: string;
  bodies: Array<{ at: number; body: Record<string, unknown> }>;
}

async function receiver(): Promise<Receiver> {
  const r: Receiver = { url: '', bodies: [] };
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => {
      b += d;
    });
    req.on('end', () => {
      r.bodies.push({ at: Date.now(), body: JSON.parse(b) });
      res.end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return r;
}

function analyzer(e: AnalyzerEnv, extra: Record<string, string> = {}): PortholeProc {
  const p = startPorthole(['analyzer'], { ...e.env, ...extra });
  procs.push(p);
  return p;
}

async function send(e: AnalyzerEnv, obs: Observation[]): Promise<void> {
  const producer = kafkaClient().producer();
  await producer.connect();
  for (let i = 0; i < obs.length; i += 2000) {
    const part = obs.slice(i, i + 2000);
    await producer.send({ topic: e.obsTopic, messages: part.map((o) => ({ key: o.ip, value: JSON.stringify(o) })) });
  }
  await producer.disconnect();
}

async function until(pred: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(500)) if (await pred()) return true;
  return false;
}

const count = async (sql: string): Promise<number> => Number((await chQuery<{ c: string }>(sql))[0].c);

/** Alert ids a webhook receiver was told about, one by one or inside digests. */
function idsOf(r: Receiver): string[] {
  return r.bodies.flatMap(({ body }) =>
    body.kind === 'digest'
      ? (body.alerts as Array<{ alert_id: string }>).map((a) => a.alert_id)
      : [body.alert_id as string],
  );
}

/** Alert ids on a topic, read from the beginning until `want` distinct ones or the timeout. */
async function alertIdsOnTopic(topic: string, want: number, timeoutMs: number): Promise<Set<string>> {
  const ids = new Set<string>();
  const consumer = kafkaClient().consumer({ groupId: `porthole-test-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages)
          ids.add((JSON.parse(m.value!.toString()) as { porthole: { alert_id: string } }).porthole.alert_id);
        if (ids.size >= want) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return ids;
}

const RATE = 120; // messages a minute per receiver

describe('alert storm', () => {
  it('200,000 new endpoints: digests within the rate limit, stored once, drained, across a SIGKILL', async () => {
    const hook = await receiver();
    const slack = await receiver();
    env = analyzerEnv({
      PORTHOLE_POLICY_HOME_NETWORKS: '10.0.0.0/8',
      PORTHOLE_POLICY_FIRST_START_LIMIT: '0', // this test wants the storm itself
      PORTHOLE_ALERTS_WEBHOOKS: hook.url,
      PORTHOLE_ALERTS_SLACK_WEBHOOKS: slack.url,
      PORTHOLE_ALERTS_RATE_PER_MINUTE: String(RATE),
    });
    const t0 = Date.now() - 60_000;
    const obs: Observation[] = [];
    // 50,000 hosts in 200 /24 networks, 4 ports each
    for (let h = 0; h < 50_000; h++) {
      const ip = `10.${20 + Math.floor(h / 250 / 256)}.${Math.floor(h / 250) % 256}.${1 + (h % 250)}`;
      for (const port of [22, 80, 443, 8080]) obs.push(observation({ ip, port, window_start: t0 }));
    }
    const admin = kafkaClient().admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: env.obsTopic, numPartitions: 6 }] });
    await admin.disconnect();
    await send(env, obs);
    const started = Date.now();
    const a1 = analyzer(env);
    // let it store the alerts and start delivering, then kill it in the middle of the backlog
    expect(await until(() => hook.bodies.length >= 40, 180_000)).toBe(true);
    await a1.stop('SIGKILL');
    procs.splice(procs.indexOf(a1), 1);
    const atKill = hook.bodies.length;
    analyzer(env);
    const all = new Set(obs.map((o) => `new_service|${o.ip}|tcp|${o.port}`));
    const slackTook = () =>
      count(
        `SELECT uniqExact(alert_id) AS c FROM ${env!.db}.alert_deliveries WHERE sink = 'slack:${slack.url}' AND via != ''`,
      );
    expect(
      await until(async () => new Set(idsOf(hook)).size >= all.size && (await slackTook()) >= all.size, 300_000),
    ).toBe(true);
    const minutes = (Date.now() - started) / 60_000;

    // stored exactly once
    expect(await count(`SELECT count() AS c FROM ${env.db}.alerts FINAL WHERE kind = 'new_service'`)).toBe(all.size);
    expect(await count(`SELECT uniqExact(alert_id) AS c FROM ${env.db}.alerts WHERE kind = 'new_service'`)).toBe(
      all.size,
    );
    // every alert reached the webhook, as digests, within the rate limit
    expect(new Set(idsOf(hook))).toEqual(all);
    for (const r of [hook, slack]) {
      expect(r.bodies.length).toBeLessThanOrEqual(Math.ceil(RATE + RATE * minutes) + 1);
      expect(r.bodies.length).toBeLessThan(all.size / 100);
    }
    expect(hook.bodies.every(({ body }) => body.kind === 'digest')).toBe(true);
    const first = hook.bodies[0].body;
    expect(first.message).toMatch(/^\d+ new services on 10\.\d+\.\d+\.0\/24 in \d+ mins? \(\d+ hosts\)$/);
    expect(slack.bodies[0].body.text).toMatch(/^\[porthole \w+\] \d+ new services on /);
    // a repeat after the kill is at most the digest in flight
    const repeats = idsOf(hook).length - all.size;
    expect(repeats).toBeLessThanOrEqual(1000);
    expect(atKill).toBeGreaterThan(0);
    // the slack sink's deliveries cover every alert too (recorded in ClickHouse, all by digests)
    expect(await slackTook()).toBe(all.size);
    // the Kafka alerts topic carries every alert on its own
    const kafkaTook = () =>
      count(`SELECT uniqExact(alert_id) AS c FROM ${env!.db}.alert_deliveries WHERE sink = 'kafka'`);
    expect(await until(async () => (await kafkaTook()) >= all.size, 300_000)).toBe(true);
    const onKafka = await alertIdsOnTopic(env.alertsTopic, all.size, 120_000);
    expect(onKafka.size).toBe(all.size);
  }, 900_000);

  it('two analyzers in a group hold only their own partitions; after a rebalance one holds all', async () => {
    env = analyzerEnv({ PORTHOLE_POLICY_HOME_NETWORKS: '10.0.0.0/8' });
    const status = (p: PortholeProc) =>
      [...p.logs].reverse().find((l) => l.msg === 'analyzer status')?.stats as
        | { endpointsHeld: number; partitionsHeld: number[] }
        | undefined;
    const a = analyzer(env);
    await a.waitFor((l) => l.msg === 'states loaded', 60_000);
    const b = analyzer(env);
    await b.waitFor((l) => l.msg === 'states loaded', 60_000);
    // both are in the group: wait until they share the six partitions
    const shared = () => {
      const pa = status(a)?.partitionsHeld ?? [];
      const pb = status(b)?.partitionsHeld ?? [];
      return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 6;
    };
    expect(await until(shared, 60_000)).toBe(true);
    const obs = Array.from({ length: 3000 }, (_, i) =>
      observation({ ip: `10.9.${Math.floor(i / 200)}.${1 + (i % 200)}`, port: 443, window_start: Date.now() - 60_000 }),
    );
    await send(env, obs);
    expect(
      await until(
        async () => (await count(`SELECT count() AS c FROM ${env!.db}.endpoint_states FINAL`)) === 3000,
        60_000,
      ),
    ).toBe(true);
    const logsBefore = [a.logs.length, b.logs.length];
    expect(
      await until(() => a.logs.length > logsBefore[0] + 1 && b.logs.length > logsBefore[1] + 1 && shared(), 30_000),
    ).toBe(true);
    const [sa, sb] = [status(a)!, status(b)!];
    expect(new Set([...sa.partitionsHeld, ...sb.partitionsHeld])).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(sa.endpointsHeld).toBeGreaterThan(0);
    expect(sb.endpointsHeld).toBeGreaterThan(0);
    expect(sa.endpointsHeld + sb.endpointsHeld).toBe(3000);
    // b leaves: a is given every partition and loads every endpoint
    const from = a.logs.length;
    await b.stop('SIGTERM');
    procs.splice(procs.indexOf(b), 1);
    const reloaded = () => a.logs.slice(from).find((l) => l.msg === 'states loaded');
    expect(await until(() => reloaded() !== undefined, 90_000)).toBe(true);
    expect(reloaded()).toMatchObject({ endpoints: 3000, partitions: [0, 1, 2, 3, 4, 5] });
  }, 300_000);
});
