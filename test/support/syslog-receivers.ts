// Syslog receivers for tests, on 127.0.0.1: a UDP socket (one message per datagram), a TCP or
// TLS listener that splits RFC 6587 octet-counted frames (and fails the test on anything else),
// and a self-signed certificate for 127.0.0.1 made with openssl.

import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export interface Receiver {
  port: number;
  messages: string[];
  /** framing errors seen (bytes that were not `LEN SP MSG`) */
  errors: string[];
  /** connections accepted so far */
  connections: number;
  /** close the open connections (the sender must open a new one) */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function udpReceiver(): Promise<Receiver> {
  const sock = createSocket('udp4');
  const messages: string[] = [];
  sock.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    port: sock.address().port,
    messages,
    errors: [],
    connections: 0,
    dropConnections() {},
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

/** Split octet-counted frames off `buf`; returns what is left (an incomplete frame). */
export function splitFrames(buf: Buffer, out: string[], errors: string[]): Buffer {
  for (;;) {
    const sp = buf.indexOf(0x20);
    if (sp < 0) return buf;
    const len = buf.subarray(0, sp).toString('ascii');
    if (!/^[1-9]\d*$/.test(len)) {
      errors.push(`bad frame length ${JSON.stringify(len)}`);
      return Buffer.alloc(0);
    }
    const end = sp + 1 + Number(len);
    if (buf.length < end) return buf;
    out.push(buf.subarray(sp + 1, end).toString('utf8'));
    buf = buf.subarray(end);
  }
}

export async function streamReceiver(tls?: { key: string; cert: string }): Promise<Receiver> {
  const messages: string[] = [];
  const errors: string[] = [];
  const open = new Set<Socket>();
  let connections = 0;
  const onConnection = (s: Socket): void => {
    connections++;
    open.add(s);
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = splitFrames(Buffer.concat([buf, d]), messages, errors);
    });
    s.on('error', () => {});
    s.on('close', () => open.delete(s));
  };
  const server: Server = tls ? createTlsServer(tls, onConnection) : createServer(onConnection);
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    messages,
    errors,
    get connections() {
      return connections;
    },
    dropConnections() {
      for (const s of open) s.destroy();
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * A self-signed certificate for 127.0.0.1 (its own CA): key and cert PEM, and the cert's path,
 * in `dir` or a new temporary directory that `remove()` deletes (the caller's cleanup calls it).
 */
export function selfSignedCert(dir = mkdtempSync(join(tmpdir(), 'porthole-tls-'))): {
  key: string;
  cert: string;
  certPath: string;
  remove(): void;
} {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    certPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
