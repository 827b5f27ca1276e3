// A syslog receiver as an alert sink for machines (every alert on its own, no digests): one UDP
// datagram per alert, or octet-counted frames on one kept-open TCP or TLS connection (the
// certificate always verified, against alerts.syslogCa when set), opened again after a failure.
// Limit: syslog has no acknowledgement; an alert counts as delivered once the kernel took it,
// so frames written just before a receiver drops the connection can be lost.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { errorMessage } from '../../common/errors.js';
import type { AlertRow } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import { cefEvent } from './cef.js';
import type { Sink } from './sinks.js';
import { octetFrame, type SyslogTarget, syslogMessage } from './syslog.js';

/** A connection or a write taking longer than this fails (the outbox retries next round). */
const TIMEOUT_MS = 5000;

export interface SyslogOptions {
  /** PEM CA bundle for tls:// targets; null: the system's CAs */
  ca: string | null;
  version: string;
  hostname: string;
}

function failed(err: unknown): AnalyzerError {
  return err instanceof AnalyzerError
    ? err
    : new AnalyzerError('SINK_FAILED', errorMessage(err), { retriable: true, cause: err });
}

function withTimeout<T>(what: string, p: Promise<T>, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new AnalyzerError('SINK_FAILED', `syslog ${what} timed out`, { retriable: true }));
    }, TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export function syslogSink(target: SyslogTarget, o: SyslogOptions): Sink {
  const message = (a: AlertRow): string =>
    syslogMessage({
      ts: a.ts,
      severity: a.severity,
      hostname: o.hostname,
      procId: String(process.pid),
      msgId: a.kind,
      msg: cefEvent(a, o.version),
    });
  const send = target.transport === 'udp' ? udpSender(target) : streamSender(target, o.ca);
  return {
    name: `syslog:${target.text}`,
    forPeople: false,
    deliver: (a) => send([message(a)]),
    deliverBatch: (alerts) => send(alerts.map(message)),
  };
}

function udpSender(target: SyslogTarget): (msgs: string[]) => Promise<void> {
  let sock: UdpSocket | null = null;
  return async (msgs) => {
    if (!sock) {
      sock = createSocket(isIP(target.host) === 6 ? 'udp6' : 'udp4');
      sock.unref();
    }
    const s = sock;
    for (const m of msgs)
      await new Promise<void>((resolve, reject) =>
        s.send(Buffer.from(m, 'utf8'), target.port, target.host, (err) => (err ? reject(failed(err)) : resolve())),
      );
  };
}

function streamSender(target: SyslogTarget, ca: string | null): (msgs: string[]) => Promise<void> {
  let sock: Socket | null = null;

  const open = (): Promise<Socket> =>
    new Promise<Socket>((resolve, reject) => {
      const s =
        target.transport === 'tls'
          ? tlsConnect({
              host: target.host,
              port: target.port,
              ca: ca ?? undefined,
              // a host name is checked against the certificate's names, an address against its IP SANs
              servername: isIP(target.host) ? undefined : target.host,
            })
          : tcpConnect({ host: target.host, port: target.port });
      const onError = (err: Error): void => {
        s.destroy();
        reject(failed(err));
      };
      s.once('error', onError);
      s.once(target.transport === 'tls' ? 'secureConnect' : 'connect', () => {
        s.off('error', onError);
        // a later failure shows as a failed write; the socket is then opened again
        s.on('error', () => s.destroy());
        s.resume(); // a receiver sends nothing we read
        s.unref();
        resolve(s);
      });
    });

  return async (msgs) => {
    if (!sock || sock.destroyed || !sock.writable) {
      const opening = open();
      sock = await withTimeout(
        'connection',
        opening,
        () =>
          void opening.then(
            (s) => s.destroy(),
            () => {},
          ),
      );
    }
    const s = sock;
    const written = new Promise<void>((resolve, reject) =>
      s.write(Buffer.concat(msgs.map(octetFrame)), (err) => (err ? reject(failed(err)) : resolve())),
    );
    await withTimeout('write', written, () => s.destroy()).catch((err: unknown) => {
      s.destroy();
      throw err;
    });
  };
}
