// Secured transport end to end, all real: `porthole sensor` publishes a capture through Kafka's
// SASL_SSL listener (SCRAM-SHA-512), `porthole analyzer` consumes it there (SCRAM-SHA-256) and
// stores into ClickHouse over HTTPS, and `porthole services` reads the inventory over HTTPS;
// PLAIN works too; the verifier connects the same way. No process prints a password.

import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { until } from '../support/analyzer-run.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { deleteTopics, randomTopic, readTopic } from '../support/kafka.js';
import { porthole } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { baseTraffic, ipOf } from '../support/scenarios.js';
import {
  CA_FILE,
  CH_HTTPS_URL,
  PLAIN_PASSWORD_FILE,
  portholeWith,
  requireSecuredPorts,
  SCRAM_PASSWORD_FILE,
  saslSslEnv,
} from '../support/secure.js';

const capture = join(tmpdir(), `porthole-secure-${randomBytes(4).toString('hex')}.pcap`);
const procs: PortholeProc[] = [];
let env: AnalyzerEnv;
const plainTopic = randomTopic('plain');
let secrets: string[];

beforeAll(async () => {
  await requireSecuredPorts();
  secrets = [SCRAM_PASSWORD_FILE, PLAIN_PASSWORD_FILE].map((f) => readFileSync(f, 'utf8').trim());
  // a capture of a minute ago: its windows are recent for the analyzer
  const segs = baseTraffic(Date.now() - 60_000);
  writeFileSync(
    capture,
    pcapFile(
      segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
      { linktype: 1 },
    ),
  );
  env = analyzerEnv();
});

afterAll(async () => {
  for (const p of procs.splice(0)) await p.stop();
  await env?.cleanup();
  await deleteTopics([plainTopic]);
  rmSync(capture, { force: true });
});

/** The endpoints of the capture, as `porthole replay` finds them. */
function expected(): string[] {
  const r = porthole(['replay', '--json', capture]);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { ip: string; port: number })
    .map((o) => `${o.ip}|${o.port}`)
    .sort();
}

function expectNoSecret(...outputs: string[]): void {
  for (const out of outputs) for (const s of secrets) expect(out).not.toContain(s);
}

const https = { PORTHOLE_CLICKHOUSE_URL: CH_HTTPS_URL, PORTHOLE_CLICKHOUSE_CA: CA_FILE };

describe('secured transport', () => {
  it('sensor → Kafka SASL_SSL (SCRAM) → analyzer → ClickHouse over HTTPS: the Observations reach the inventory', async () => {
    const analyzerVars = { ...env.env, ...saslSslEnv('scram-sha-256'), ...https };
    const analyzer = startPorthole(['analyzer'], analyzerVars);
    procs.push(analyzer);
    await analyzer.waitFor((l) => l.msg === 'joined consumer group', 60_000);

    const sensor = await portholeWith(
      ['sensor', '--pcap', capture, '--sensor-id', 'secure-e2e'],
      saslSslEnv('scram-sha-512', {
        PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: env.obsTopic,
        PORTHOLE_KAFKA_STATUS_TOPIC: env.statusTopic,
      }),
    );
    expect(sensor.stderr).toBe('');
    expect(sensor.status).toBe(0);

    const want = expected();
    expect(want.length).toBeGreaterThan(3);
    const services = async (): Promise<string[]> => {
      const r = await portholeWith(['services', '--json', '--clickhouse', CH_HTTPS_URL, '--database', env.db], {
        PORTHOLE_CLICKHOUSE_CA: CA_FILE,
      });
      if (r.status !== 0) throw new Error(`services failed: ${r.stderr}`);
      return r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { ip: string; port: number })
        .map((s) => `${s.ip}|${s.port}`)
        .sort();
    };
    await until(async () => (await services()).length >= want.length, 30_000);
    expect(await services()).toEqual(want);

    // the verifier reaches the alerts topic the same way
    const verifier = startPorthole(['verifier'], analyzerVars);
    procs.push(verifier);
    await verifier.waitFor((l) => l.msg === 'verifier running', 60_000);
    // porthole verify asks it over SASL_SSL too; nothing is allowed, so the answer is a refusal
    const ask = await portholeWith(['verify', '127.0.0.1:1', '--wait', '--timeout', '30s'], analyzerVars);
    expect(ask.stderr).toBe('');
    expect(ask.stdout).toMatch(/^127\.0\.0\.1:1 refused: outside verify\.allowedNetworks/m);
    expect(ask.status).toBe(1);
    await verifier.stop();
    await analyzer.stop();
    expectNoSecret(sensor.stdout, sensor.stderr, JSON.stringify(analyzer.logs), analyzer.stderr.join(''));
    expectNoSecret(JSON.stringify(verifier.logs), verifier.stderr.join(''));
  });

  it('PLAIN over SASL_SSL: a sensor publishes, the messages are there', async () => {
    const sensor = await portholeWith(
      ['sensor', '--pcap', capture, '--sensor-id', 'secure-plain'],
      saslSslEnv('plain', {
        PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: plainTopic,
        PORTHOLE_KAFKA_STATUS_TOPIC: `${plainTopic}.status`,
      }),
    );
    await deleteTopics([`${plainTopic}.status`]);
    expect(sensor.stderr).toBe('');
    expect(sensor.status).toBe(0);
    const want = expected();
    const msgs = (await readTopic(plainTopic, (m) => m.length >= want.length, 20_000)) as Array<{
      ip: string;
      port: number;
      sensor: string;
    }>;
    expect(msgs.map((m) => `${m.ip}|${m.port}`).sort()).toEqual(want);
    expect(new Set(msgs.map((m) => m.sensor))).toEqual(new Set(['secure-plain']));
    expectNoSecret(sensor.stdout, sensor.stderr);
  });
});
