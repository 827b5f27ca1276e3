// How every Porthole process secures its Kafka connection: the kafka.tls.* and kafka.sasl.* keys
// (declared once here, listed in each process's spec), their validation at start-up (files read
// and certificates parsed then, every problem named by its key), and the kafkajs `ssl`/`sasl`
// options they make. Secrets (the SASL password, the key's passphrase) come from a file or the
// environment only and are held as `Secret`s.

import { createSecureContext, type ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { KeySpec } from '../schemas/config-spec.js';
import { KAFKA_SASL_PASSWORD_ENV, KAFKA_TLS_KEY_PASSPHRASE_ENV, readKeyFile, readSecret, Secret } from './secret.js';
import { readCaFile } from './tls.js';

export const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export const KAFKA_SECURITY_SPEC: KeySpec[] = [
  { key: 'kafka.tls.enabled', kind: { t: 'bool' }, def: false, doc: 'connect to the brokers with TLS' },
  {
    key: 'kafka.tls.ca',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: "PEM file of the CAs trusted for the brokers' certificates (default: the system CAs)",
  },
  {
    key: 'kafka.tls.checkHostname',
    kind: { t: 'bool' },
    def: true,
    doc: "a broker's certificate must name the host connected to (turn off only to diagnose)",
  },
  {
    key: 'kafka.tls.cert',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'PEM file of a client certificate, for brokers that ask for one',
  },
  { key: 'kafka.tls.key', kind: { t: 'string', nullable: true }, def: null, doc: 'PEM file of its private key' },
  {
    key: 'kafka.tls.keyPassphraseFile',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: `file holding the passphrase of kafka.tls.key (or ${KAFKA_TLS_KEY_PASSPHRASE_ENV})`,
  },
  {
    key: 'kafka.sasl.mechanism',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: `SASL authentication: ${SASL_MECHANISMS.join(', ')} (default: none)`,
  },
  { key: 'kafka.sasl.username', kind: { t: 'string', nullable: true }, def: null, doc: 'SASL user name' },
  {
    key: 'kafka.sasl.passwordFile',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: `file holding the SASL password (or ${KAFKA_SASL_PASSWORD_ENV}; never a flag)`,
  },
];

export interface KafkaTls {
  ca: string | null;
  cert: string | null;
  key: Secret | null;
  passphrase: Secret | null;
  checkHostname: boolean;
}

export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  password: Secret;
}

/** null: plaintext, no authentication (the default). */
export interface KafkaSecurity {
  tls: KafkaTls | null;
  sasl: KafkaSasl | null;
}

export const NO_KAFKA_SECURITY: KafkaSecurity = Object.freeze({ tls: null, sasl: null });

/** The kafka.tls.* and kafka.sasl.* keys of a resolved config; problems are added to `errors`. */
export function kafkaSecurityConfig(g: <T>(key: string) => T, env: NodeJS.ProcessEnv, errors: string[]): KafkaSecurity {
  return Object.freeze({ tls: tlsConfig(g, env, errors), sasl: saslConfig(g, env, errors) });
}

function tlsConfig(g: <T>(key: string) => T, env: NodeJS.ProcessEnv, errors: string[]): KafkaTls | null {
  const files = ['kafka.tls.ca', 'kafka.tls.cert', 'kafka.tls.key', 'kafka.tls.keyPassphraseFile'] as const;
  if (!g<boolean>('kafka.tls.enabled')) {
    for (const k of files) if (g(k) !== null) errors.push(`${k}: set, but kafka.tls.enabled is false`);
    return null;
  }
  const read = (k: string): string | null => {
    const path = g<string | null>(k);
    return path === null ? null : readKeyFile(k, path, errors);
  };
  const caPath = g<string | null>('kafka.tls.ca');
  const ca = caPath === null ? null : readCaFile('kafka.tls.ca', caPath, errors);
  const cert = read('kafka.tls.cert');
  const keyText = read('kafka.tls.key');
  const passphrase = readSecret(
    {
      fileKey: 'kafka.tls.keyPassphraseFile',
      file: g('kafka.tls.keyPassphraseFile'),
      envName: KAFKA_TLS_KEY_PASSPHRASE_ENV,
      env,
    },
    errors,
  );
  if ((g('kafka.tls.cert') === null) !== (g('kafka.tls.key') === null))
    errors.push('kafka.tls.cert and kafka.tls.key: give both or neither');
  const tls: KafkaTls = {
    ca,
    cert,
    key: keyText === null ? null : new Secret(keyText),
    passphrase,
    checkHostname: g('kafka.tls.checkHostname'),
  };
  // parsed now, so a wrong file stops start-up instead of every connection
  try {
    if (cert !== null && keyText !== null) createSecureContext(tlsOptions(tls));
  } catch (e) {
    errors.push(`kafka.tls.cert/kafka.tls.key: unusable (${(e as Error).message})`);
  }
  return Object.freeze(tls);
}

function saslConfig(g: <T>(key: string) => T, env: NodeJS.ProcessEnv, errors: string[]): KafkaSasl | null {
  const raw = g<string | null>('kafka.sasl.mechanism');
  const username = g<string | null>('kafka.sasl.username');
  const before = errors.length;
  const password = readSecret(
    { fileKey: 'kafka.sasl.passwordFile', file: g('kafka.sasl.passwordFile'), envName: KAFKA_SASL_PASSWORD_ENV, env },
    errors,
  );
  const passwordProblem = errors.length > before;
  if (raw === null) {
    if (username !== null || password !== null)
      errors.push('kafka.sasl.username/password: set, but kafka.sasl.mechanism is not');
    return null;
  }
  const mechanism = raw.toLowerCase() as SaslMechanism;
  if (!SASL_MECHANISMS.includes(mechanism)) {
    errors.push(`kafka.sasl.mechanism: one of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(raw)}`);
    return null;
  }
  if (username === null) errors.push(`kafka.sasl.username: required with kafka.sasl.mechanism ${mechanism}`);
  if (password === null && !passwordProblem)
    errors.push(
      `kafka.sasl.passwordFile or ${KAFKA_SASL_PASSWORD_ENV}: required with kafka.sasl.mechanism ${mechanism}`,
    );
  if (mechanism === 'plain' && !g<boolean>('kafka.tls.enabled'))
    errors.push('kafka.sasl.mechanism plain sends the password in clear: set kafka.tls.enabled');
  return username === null || password === null ? null : Object.freeze({ mechanism, username, password });
}

function tlsOptions(t: KafkaTls): ConnectionOptions {
  return {
    rejectUnauthorized: true,
    ...(t.ca === null ? {} : { ca: t.ca }),
    ...(t.cert === null ? {} : { cert: t.cert }),
    ...(t.key === null ? {} : { key: t.key.reveal() }),
    ...(t.passphrase === null ? {} : { passphrase: t.passphrase.reveal() }),
    ...(t.checkHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}

/** The kafkajs `ssl` and `sasl` options of a security config (nothing for plaintext). */
export function kafkajsSecurity(s: KafkaSecurity): { ssl?: ConnectionOptions; sasl?: SASLOptions } {
  return {
    ...(s.tls === null ? {} : { ssl: tlsOptions(s.tls) }),
    ...(s.sasl === null
      ? {}
      : {
          sasl: {
            mechanism: s.sasl.mechanism,
            username: s.sasl.username,
            password: s.sasl.password.reveal(),
          } as SASLOptions,
        }),
  };
}
