// Webhook sink failures are typed (SINK_FAILED, same message as before), retriable only when a
// resend as is may succeed; against a local HTTP server.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSink } from '../../analyzer/alert/sinks.js';
import { AnalyzerError } from '../../analyzer/errors.js';
import { newServiceAlert } from '../../analyzer/rules.js';
import { observation } from '../support/observations.js';

let server: Server;
let url = '';
const bodies: unknown[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => {
      b += d;
    });
    req.on('end', () => {
      bodies.push(JSON.parse(b));
      res.statusCode = Number(req.url?.slice(1));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const alert = newServiceAlert(observation({ ip: '192.0.2.1', port: 22, window_start: 1000 }), 'high', false, 5000);

describe('webhookSink', () => {
  it('delivers the alert as JSON', async () => {
    await webhookSink(`${url}/200`, false).deliver(alert);
    expect(bodies.at(-1)).toMatchObject({ alert_id: 'new_service|192.0.2.1|tcp|22', severity: 'high', ts: 5000 });
  });
  it.each([
    [500, true],
    [429, true],
    [404, false],
  ])('HTTP %i is a SINK_FAILED error, retriable: %s', async (status, retriable) => {
    const err = await webhookSink(`${url}/${status}`, true)
      .deliver(alert)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AnalyzerError);
    expect(err).toMatchObject({ code: 'SINK_FAILED', retriable, message: `HTTP ${status}` });
  });
  it('an unreachable receiver is a retriable SINK_FAILED error', async () => {
    const err = await webhookSink('http://127.0.0.1:1/', false)
      .deliver(alert)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SINK_FAILED', retriable: true });
  });
});
