// A product/version that changes between two verifications raises one service_changed alert.
// The verifier scans a banner server on loopback (127.0.0.1 is the only target); alerts are
// fed straight into the alerts topic, as the analyzer would publish them.

import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { chQuery } from '../support/clickhouse.js';
import { kafkaClient } from '../support/kafka.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { sleep } from '../../common/time.js';

let env: AnalyzerEnv | null = null;
let proc: PortholeProc | null = null;
let server: Server | null = null;
afterAll(async () => {
  await proc?.stop();
  server?.close();
  await env?.cleanup();
});

function banner(port: number, text: string): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((c) => c.end(text));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

async function until<T>(f: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(1000)) {
    const v = await f();
    if (v !== undefined) return v;
  }
  return undefined;
}

describe('verifier', () => {
  it('alerts when the product or version behind an endpoint changes', { timeout: 180_000 }, async () => {
    server = await banner(0, 'SSH-2.0-OpenSSH_8.0\r\n');
    const port = (server.address() as { port: number }).port;
    env = analyzerEnv({
      PORTHOLE_VERIFY_ALLOWED_NETWORKS: '127.0.0.1/32',
      PORTHOLE_VERIFY_MIN_INTERVAL: '1s',
      PORTHOLE_VERIFY_BATCH_DELAY: '200ms',
    });
    const e = env;
    proc = startPorthole(['verifier'], e.env);
    await proc.waitFor((l) => l.msg === 'verifier running', 60_000);
    const producer = kafkaClient().producer();
    await producer.connect();
    const send = (kind: string): Promise<unknown> =>
      producer.send({
        topic: e.alertsTopic,
        messages: [
          {
            key: kind,
            value: JSON.stringify({
              event: { kind: 'alert', action: kind },
              porthole: { alert_id: `${kind}|x`, kind, ip: '127.0.0.1', proto: 'tcp', port },
            }),
          },
        ],
      });
    const versions = (): Promise<string[]> =>
      chQuery<{ version: string }>(
        `SELECT version FROM ${e.db}.verifications WHERE status = 'verified_open' ORDER BY ts`,
      ).then((r) => r.map((x) => x.version));
    await send('new_service');
    expect(await until(async () => ((await versions()).length >= 1 ? versions() : undefined), 60_000)).toEqual(['8.0']);
    server.close();
    server = await banner(port, 'SSH-2.0-OpenSSH_9.0\r\n');
    await sleep(1200); // past verify.minInterval
    await send('reopened_service');
    expect(await until(async () => ((await versions()).length >= 2 ? versions() : undefined), 60_000)).toEqual([
      '8.0',
      '9.0',
    ]);
    await producer.disconnect();
    // the verification row is stored before the alert it leads to: wait for the alert
    const readAlerts = (): Promise<{ kind: string; message: string }[]> =>
      chQuery<{ kind: string; message: string }>(`SELECT kind, message FROM ${e.db}.alerts`);
    await until(async () => ((await readAlerts()).length >= 1 ? true : undefined), 30_000);
    await sleep(1000); // a second alert, if one were raised, would have landed by now
    const alerts = await readAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0].kind).toBe('service_changed');
    expect(alerts[0].message).toMatch(/"OpenSSH 8\.0" to "OpenSSH 9\.0"/);
  });
});
