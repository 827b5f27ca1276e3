// The syslog sink over real sockets on 127.0.0.1: one datagram per alert over UDP; octet-counted
// frames over TCP and TLS, the connection opened again after the receiver drops it; a TLS
// receiver whose certificate is not trusted is a retriable SINK_FAILED error.

import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { syslogSink } from '../../analyzer/alert/syslog-sink.js';
import { parseSyslogTarget } from '../../analyzer/alert/syslog.js';
import { newServiceAlert } from '../../analyzer/rules.js';
import { sleep } from '../../common/time.js';
import { observation } from '../support/observations.js';
import { type Receiver, selfSignedCert, streamReceiver, udpReceiver } from '../support/syslog-receivers.js';

const receivers: Receiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

const alert = (port: number, message = 'new service') => ({
  ...newServiceAlert(observation({ ip: '192.0.2.1', port, window_start: 0 }), 'medium', false, 1000),
  message,
});
const opts = { ca: null, version: '9.9.9', hostname: 'h1' };

async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !pred(); i++) await sleep(50);
}

describe('syslog sink', () => {
  it('UDP: one RFC 5424 message per datagram', async () => {
    const r = await udpReceiver();
    receivers.push(r);
    const sink = syslogSink(parseSyslogTarget(`udp://127.0.0.1:${r.port}`)!, opts);
    expect(sink).toMatchObject({ name: `syslog:udp://127.0.0.1:${r.port}`, forPeople: false });
    await sink.deliverBatch!([alert(22), alert(23)]);
    await until(() => r.messages.length === 2);
    expect(r.messages[0]).toMatch(/^<36>1 1970-01-01T00:00:01\.000Z h1 porthole \d+ new_service - CEF:0\|Porthole\|/);
    expect(r.messages[1]).toContain('dpt=23');
  });

  it('TCP: octet-counted frames (a message may hold newlines), a new connection after a drop', async () => {
    const r = await streamReceiver();
    receivers.push(r);
    const sink = syslogSink(parseSyslogTarget(`tcp://127.0.0.1:${r.port}`)!, opts);
    await sink.deliverBatch!([alert(22, 'two\nlines'), alert(23, 'héllo')]);
    await until(() => r.messages.length === 2);
    expect(r.errors).toEqual([]);
    expect(r.messages[0]).toContain('msg=two\\nlines');
    expect(r.messages[1]).toContain('|héllo|6|');
    r.dropConnections();
    await sleep(100);
    await sink.deliver(alert(24));
    await until(() => r.messages.length === 3);
    expect(r.connections).toBe(2);
    expect(r.messages[2]).toContain('dpt=24');
  });

  it('TLS: verified against alerts.syslogCa; an untrusted certificate is a retriable SINK_FAILED', async () => {
    const cert = selfSignedCert();
    onTestFinished(() => cert.remove());
    const r = await streamReceiver({ key: cert.key, cert: cert.cert });
    receivers.push(r);
    const target = parseSyslogTarget(`tls://127.0.0.1:${r.port}`)!;
    const err = await syslogSink(target, opts)
      .deliver(alert(22))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SINK_FAILED', retriable: true });
    expect(r.messages).toEqual([]);
    await syslogSink(target, { ...opts, ca: cert.cert }).deliver(alert(443));
    await until(() => r.messages.length === 1);
    expect(r.messages[0]).toContain('dpt=443');
  });

  it('an unreachable receiver is a retriable SINK_FAILED error', async () => {
    const err = await syslogSink(parseSyslogTarget('tcp://127.0.0.1:1')!, opts)
      .deliver(alert(22))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SINK_FAILED', retriable: true });
  });
});
