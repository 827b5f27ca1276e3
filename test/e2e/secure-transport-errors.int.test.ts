// Refused secured connections, against the real local Kafka (SASL_SSL) and ClickHouse (HTTPS):
// a wrong password, a CA that did not sign the server's certificate and a host name the
// certificate does not carry (127.0.0.2, forwarded to the real port) each end the command at
// once with exactly one `porthole:` line naming the cause and a non-zero exit, never retrying;
// the password tried appears in no output.

import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { baseTraffic, ipOf } from '../support/scenarios.js';
import {
  CA_FILE,
  CH_HTTPS_PORT,
  CH_HTTPS_URL,
  type Forwarder,
  forwarder,
  KAFKA_SSL_PORT,
  ownLines,
  portholeWith,
  requireSecuredPorts,
  SSL_BROKER,
  saslSslEnv,
} from '../support/secure.js';
import type { RunResult } from '../support/porthole.js';
import { selfSignedCert } from '../support/syslog-receivers.js';

const capture = join(tmpdir(), `porthole-secure-err-${randomBytes(4).toString('hex')}.pcap`);
const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
let otherCa: string;
let otherCert: ReturnType<typeof selfSignedCert> | undefined;
let kafkaFwd: Forwarder;
let chFwd: Forwarder;
let env: AnalyzerEnv;

beforeAll(async () => {
  await requireSecuredPorts();
  const segs = baseTraffic(Date.now() - 60_000);
  writeFileSync(
    capture,
    pcapFile(
      segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
      { linktype: 1 },
    ),
  );
  otherCert = selfSignedCert();
  otherCa = otherCert.certPath;
  kafkaFwd = await forwarder('127.0.0.2', KAFKA_SSL_PORT);
  chFwd = await forwarder('127.0.0.2', CH_HTTPS_PORT);
  env = analyzerEnv();
});

afterAll(async () => {
  await kafkaFwd?.close();
  await chFwd?.close();
  await env?.cleanup();
  rmSync(capture, { force: true });
  otherCert?.remove();
});

/** `porthole sensor --pcap` against the SASL_SSL listener with `over`: its result. */
function sensor(over: Record<string, string>): Promise<RunResult> {
  return portholeWith(
    ['sensor', '--pcap', capture],
    saslSslEnv('scram-sha-512', {
      PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: env.obsTopic,
      PORTHOLE_KAFKA_STATUS_TOPIC: env.statusTopic,
      ...over,
    }),
  );
}

function oneLine(r: RunResult, pattern: RegExp): string {
  expect(r.status).toBe(2);
  const lines = ownLines(r.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stdout + r.stderr).not.toContain(wrongPassword);
  return lines[0];
}

describe('refused Kafka connections', () => {
  it('a wrong SCRAM password: the sensor stops with one line', async () => {
    const line = oneLine(
      await sensor({ PORTHOLE_KAFKA_SASL_PASSWORD_FILE: '', PORTHOLE_KAFKA_SASL_PASSWORD: wrongPassword }),
      /^porthole: kafka 127\.0\.0\.1:\d+: authentication refused as "porthole" \(scram-sha-512\): .*invalid credentials.*; check kafka\.sasl\.username and the password$/,
    );
    expect(line).toContain(SSL_BROKER);
  });

  it('a wrong PLAIN password', async () => {
    const r = await portholeWith(
      ['sensor', '--pcap', capture],
      saslSslEnv('plain', {
        PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: env.obsTopic,
        PORTHOLE_KAFKA_STATUS_TOPIC: env.statusTopic,
        PORTHOLE_KAFKA_SASL_PASSWORD_FILE: '',
        PORTHOLE_KAFKA_SASL_PASSWORD: wrongPassword,
      }),
    );
    oneLine(
      r,
      /^porthole: kafka .*: authentication refused as "porthole_plain" \(plain\): .*Invalid username or password/,
    );
  });

  it('a CA that did not sign the broker certificate', async () => {
    oneLine(
      await sensor({ PORTHOLE_KAFKA_TLS_CA: otherCa }),
      /^porthole: kafka 127\.0\.0\.1:\d+: TLS certificate not trusted \(.+\); check kafka\.tls\.ca$/,
    );
  });

  it('a host name the certificate does not carry', async () => {
    oneLine(
      await sensor({ PORTHOLE_KAFKA_BROKERS: `127.0.0.2:${kafkaFwd.port}` }),
      /^porthole: kafka 127\.0\.0\.2:\d+: TLS certificate does not name this host \(.*127\.0\.0\.2.*\); connect by a name/,
    );
  });

  it('the analyzer: a wrong password ends it with one line too', async () => {
    const r = await portholeWith(['analyzer'], {
      ...env.env,
      ...saslSslEnv('scram-sha-256', {
        PORTHOLE_KAFKA_SASL_PASSWORD_FILE: '',
        PORTHOLE_KAFKA_SASL_PASSWORD: wrongPassword,
      }),
    });
    oneLine(r, /^porthole: kafka .*: authentication refused as "porthole" \(scram-sha-256\)/);
  });
});

describe('refused ClickHouse connections over HTTPS', () => {
  const services = (url: string, ca: string): Promise<RunResult> =>
    portholeWith(['services', '--clickhouse', url, '--database', env.db], { PORTHOLE_CLICKHOUSE_CA: ca });

  it('a CA that did not sign the server certificate', async () => {
    oneLine(
      await services(CH_HTTPS_URL, otherCa),
      /^porthole: clickhouse https:\/\/127\.0\.0\.1:\d+: TLS certificate not trusted \(.+\); check clickhouse\.ca$/,
    );
  });

  it('a host name the certificate does not carry', async () => {
    oneLine(
      await services(`https://127.0.0.2:${chFwd.port}`, CA_FILE),
      /^porthole: clickhouse https:\/\/127\.0\.0\.2:\d+: TLS certificate does not name this host/,
    );
  });
});

describe('refused ClickHouse logins', () => {
  it('a wrong password: one line naming the server and the keys, exit 2, never the password', async () => {
    const r = await portholeWith(['services', '--clickhouse', CH_HTTPS_URL, '--database', env.db], {
      PORTHOLE_CLICKHOUSE_CA: CA_FILE,
      PORTHOLE_CLICKHOUSE_PASSWORD: wrongPassword,
    });
    oneLine(
      r,
      /^porthole: clickhouse https:\/\/127\.0\.0\.1:\d+: user or password refused \(.+\); check clickhouse\.user and clickhouse\.password$/,
    );
  });
});
