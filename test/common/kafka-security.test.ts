// The Kafka security keys as every process resolves them (through the sensor's and the
// analyzer's loaders): TLS and SASL settings, secrets only from a file or the environment and
// never shown, every problem named by its key; and which kafkajs failures are security failures
// (never retried) with their one-line messages.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';
import { kafkaRetriable } from '../../common/kafka.js';
import { kafkaSecurityFailure } from '../../common/kafka-failure.js';
import { kafkajsSecurity } from '../../common/kafka-security.js';
import { loadSensorConfig } from '../../sensor/config.js';
import { selfSignedCert } from '../support/syslog-receivers.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-ksec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = 'correct-horse-battery-staple';
const pwFile = join(dir, 'pw');
writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello\n');
const ca = selfSignedCert(dir).certPath;

const sensor = (env: Record<string, string>) => loadSensorConfig({ env, flags: {}, needSource: false });
const problems = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('accepted');
};

const scram = {
  PORTHOLE_KAFKA_TLS_ENABLED: 'true',
  PORTHOLE_KAFKA_TLS_CA: ca,
  PORTHOLE_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
  PORTHOLE_KAFKA_SASL_USERNAME: 'porthole',
  PORTHOLE_KAFKA_SASL_PASSWORD_FILE: pwFile,
};

describe('kafka.tls.* and kafka.sasl.*', () => {
  it('default: plaintext, no authentication, nothing passed to kafkajs', () => {
    const c = sensor({});
    expect(c.kafka.security).toEqual({ tls: null, sasl: null });
    expect(kafkajsSecurity(c.kafka.security)).toEqual({});
  });

  it('SCRAM over TLS from a password file: the password reaches kafkajs, never JSON or inspect', () => {
    const c = sensor(scram);
    expect(c.kafka.security.sasl).toMatchObject({ mechanism: 'scram-sha-512', username: 'porthole' });
    const k = kafkajsSecurity(c.kafka.security);
    expect(k.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'porthole', password: PASSWORD });
    expect(k.ssl).toMatchObject({ rejectUnauthorized: true });
    expect(k.ssl?.checkServerIdentity).toBeUndefined(); // Node's own hostname check
    expect(JSON.stringify(c)).not.toContain(PASSWORD);
    expect(inspect(c, { depth: 10 })).not.toContain(PASSWORD);
    expect(String(c.kafka.security.sasl?.password)).toBe('[secret]');
  });

  it('the analyzer (and verifier) read the same keys; the password may come from the environment', () => {
    const env = { ...scram, PORTHOLE_KAFKA_SASL_PASSWORD_FILE: '', PORTHOLE_KAFKA_SASL_PASSWORD: 'from-env' };
    const c = loadAnalyzerConfig({ env, flags: {} });
    expect(kafkajsSecurity(c.kafka.security).sasl).toMatchObject({ password: 'from-env' });
  });

  it('hostname checking can be turned off only explicitly', () => {
    const c = sensor({ ...scram, PORTHOLE_KAFKA_TLS_CHECK_HOSTNAME: 'false' });
    expect(kafkajsSecurity(c.kafka.security).ssl?.checkServerIdentity).toBeTypeOf('function');
  });

  it('every problem at once, each naming its key, never a secret', () => {
    const m = problems(() =>
      sensor({
        PORTHOLE_KAFKA_TLS_CA: notPem,
        PORTHOLE_KAFKA_SASL_MECHANISM: 'plain',
        PORTHOLE_KAFKA_SASL_PASSWORD: PASSWORD,
        PORTHOLE_KAFKA_SASL_PASSWORD_FILE: pwFile,
      }),
    );
    expect(m).toContain('kafka.tls.ca: set, but kafka.tls.enabled is false');
    expect(m).toContain('kafka.sasl.passwordFile and PORTHOLE_KAFKA_SASL_PASSWORD: give one of the two');
    expect(m).toContain('kafka.sasl.username: required');
    expect(m).toContain('kafka.sasl.mechanism plain sends the password in clear');
    expect(m).not.toContain(PASSWORD);
    expect(m.split('\n')).toHaveLength(1);
  });

  it('files checked at start: a CA that is not PEM, a missing password file, an unknown mechanism', () => {
    const m = problems(() =>
      sensor({
        PORTHOLE_KAFKA_TLS_ENABLED: 'true',
        PORTHOLE_KAFKA_TLS_CA: notPem,
        PORTHOLE_KAFKA_SASL_MECHANISM: 'gssapi',
        PORTHOLE_KAFKA_SASL_PASSWORD_FILE: join(dir, 'missing'),
        PORTHOLE_KAFKA_TLS_CERT: ca,
      }),
    );
    expect(m).toContain(`kafka.tls.ca: not a PEM certificate file: ${notPem}`);
    expect(m).toContain(`kafka.sasl.passwordFile: cannot read ${join(dir, 'missing')} (ENOENT)`);
    expect(m).toContain('kafka.sasl.mechanism: one of scram-sha-256, scram-sha-512, plain, got "gssapi"');
    expect(m).toContain('kafka.tls.cert and kafka.tls.key: give both or neither');
  });

  it('commands that only use ClickHouse (services, alerts, …) read no Kafka secret', () => {
    const env = { ...scram, PORTHOLE_KAFKA_SASL_PASSWORD_FILE: join(dir, 'unreadable') };
    expect(problems(() => loadAnalyzerConfig({ env, flags: {} }))).toContain('kafka.sasl.passwordFile: cannot read');
    expect(loadAnalyzerConfig({ env, flags: {}, secrets: false }).kafka.security).toEqual({ tls: null, sasl: null });
  });

  it('the password cannot come from the config file (unknown key, value not repeated)', () => {
    const file = join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ kafka: { sasl: { password: PASSWORD } } }));
    const m = problems(() => loadSensorConfig({ file, env: {}, flags: {}, needSource: false }));
    expect(m).toContain('kafka.sasl.password (config file): unknown key');
    expect(m).not.toContain(PASSWORD);
  });
});

describe('security failures of kafkajs', () => {
  const conn = { brokers: ['127.0.0.1:9094'], security: sensor(scram).kafka.security };
  // the shapes kafkajs 2.2 throws (errors.js): a SASL refusal, and a connection error whose
  // `code` is Node's TLS code, wrapped once its retries are exhausted
  const sasl = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: invalid credentials'), {
    name: 'KafkaJSSASLAuthenticationError',
    retriable: false,
  });
  const tlsConn = (code: string, message: string) =>
    Object.assign(new Error(`Connection error: ${message}`), {
      name: 'KafkaJSConnectionError',
      retriable: true,
      code,
      broker: '127.0.0.2:9094',
    });
  const exhausted = (cause: Error) =>
    Object.assign(new Error(cause.message), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause });
  const down = tlsConn('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9094');

  it('are never retriable; a broker that is down still is', () => {
    expect(kafkaRetriable(sasl)).toBe(false);
    expect(
      kafkaRetriable(exhausted(tlsConn('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'))),
    ).toBe(false);
    expect(kafkaRetriable(exhausted(down))).toBe(true);
    expect(kafkaSecurityFailure(exhausted(down), conn)).toBeNull();
  });

  it('one line each, naming the broker and what to check', () => {
    expect(kafkaSecurityFailure(sasl, conn)?.message).toBe(
      'kafka 127.0.0.1:9094: authentication refused as "porthole" (scram-sha-512): invalid credentials; check kafka.sasl.username and the password',
    );
    expect(
      kafkaSecurityFailure(
        exhausted(tlsConn('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain')),
        conn,
      )?.message,
    ).toBe(
      'kafka 127.0.0.2:9094: TLS certificate not trusted (self-signed certificate in certificate chain); check kafka.tls.ca',
    );
    const host = kafkaSecurityFailure(
      tlsConn('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
      conn,
    );
    expect(host?.code).toBe('KAFKA_TLS_FAILED');
    expect(host?.message).toMatch(/^kafka 127\.0\.0\.2:9094: TLS certificate does not name this host \(/);
  });
});
