// The local services' secured ports as deploy/local.sh makes them (same variables and defaults
// as deploy/env.sh, users as deploy/tls.sh): Kafka's SASL_SSL listener, ClickHouse's HTTPS port,
// the local CA and the users' password files; the environment that points a porthole process at
// them; a TCP forwarder on another loopback address (a name the certificates do not carry); and
// running the CLI with an environment of its own.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { BIN, type RunResult } from './porthole.js';

const HOME = process.env.PORTHOLE_HOME ?? `${process.env.HOME ?? '/root'}/.porthole`;
export const KAFKA_SSL_PORT = Number(process.env.PORTHOLE_KAFKA_SSL_PORT ?? '9094');
export const CH_HTTPS_PORT = Number(process.env.PORTHOLE_CLICKHOUSE_HTTPS_PORT ?? '8443');
export const SSL_BROKER = `127.0.0.1:${KAFKA_SSL_PORT}`;
export const CH_HTTPS_URL = `https://127.0.0.1:${CH_HTTPS_PORT}`;
export const CA_FILE = `${HOME}/tls/ca.pem`;
export const SCRAM_USER = 'porthole';
export const SCRAM_PASSWORD_FILE = `${HOME}/secrets/kafka-scram.password`;
export const PLAIN_USER = 'porthole_plain';
export const PLAIN_PASSWORD_FILE = `${HOME}/secrets/kafka-plain.password`;

/** Fails with the fix when the local services predate their secured ports. */
export async function requireSecuredPorts(): Promise<void> {
  for (const [what, port] of [
    ['Kafka SASL_SSL', KAFKA_SSL_PORT],
    ['ClickHouse HTTPS', CH_HTTPS_PORT],
  ] as const) {
    const open = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (!open || !existsSync(CA_FILE) || !existsSync(SCRAM_PASSWORD_FILE))
      throw new Error(
        `no ${what} on 127.0.0.1:${port} (or no ${CA_FILE}): the local services were started by an older deploy/local.sh; restart them (deploy/local.sh down; deploy/local.sh up)`,
      );
  }
}

/** PORTHOLE_* settings for Kafka over SASL_SSL with `mechanism` (SCRAM users use the SCRAM password). */
export function saslSslEnv(
  mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain',
  over: Record<string, string> = {},
): Record<string, string> {
  const plain = mechanism === 'plain';
  return {
    PORTHOLE_KAFKA_BROKERS: SSL_BROKER,
    PORTHOLE_KAFKA_TLS_ENABLED: 'true',
    PORTHOLE_KAFKA_TLS_CA: CA_FILE,
    PORTHOLE_KAFKA_SASL_MECHANISM: mechanism,
    PORTHOLE_KAFKA_SASL_USERNAME: plain ? PLAIN_USER : SCRAM_USER,
    PORTHOLE_KAFKA_SASL_PASSWORD_FILE: plain ? PLAIN_PASSWORD_FILE : SCRAM_PASSWORD_FILE,
    ...over,
  };
}

/**
 * `porthole ARGS` with `env` added to this process's environment (`''` removes a variable), run
 * asynchronously (a forwarder in this process keeps working), killed after 60 s.
 */
export function portholeWith(args: string[], env: Record<string, string>): Promise<RunResult> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === '') delete merged[k];
  const child = spawn(process.execPath, [BIN, ...args], { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

/** The `porthole:` lines of a command's stderr (its messages to the user). */
export function ownLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('porthole:'));
}

export interface Forwarder {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** A TCP forwarder on `host` (e.g. 127.0.0.2), `port` (any free one by default), to 127.0.0.1:`toPort`. */
export async function forwarder(host: string, toPort: number, port = 0): Promise<Forwarder> {
  const open = new Set<Socket>();
  const server = createServer((c) => {
    const up = connect(toPort, '127.0.0.1');
    open.add(c).add(up);
    c.pipe(up).pipe(c);
    const end = (): void => {
      c.destroy();
      up.destroy();
    };
    c.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  return {
    host,
    port: (server.address() as { port: number }).port,
    close() {
      for (const s of open) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
