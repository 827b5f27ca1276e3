// A port found closed when verified (closed_now) resolves its endpoint's open alert, with actor
// porthole and the reason, and ends its exposure interval. The verifier scans a closed port on loopback (127.0.0.1 is the only
// target); the alert is stored and fed into the alerts topic, as the analyzer would.

import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../analyzer/store/store.js';
import { insertRows } from '../../analyzer/store/writes.js';
import { ecsAlert } from '../../analyzer/alert/ecs.js';
import { newServiceAlert } from '../../analyzer/rules.js';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { CH_URL, chQuery } from '../support/clickhouse.js';
import { kafkaClient } from '../support/kafka.js';
import { observation } from '../support/observations.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';

let env: AnalyzerEnv | null = null;
let proc: PortholeProc | null = null;
afterAll(async () => {
  await proc?.stop();
  await env?.cleanup();
});

/** A loopback port nothing listens on: bound once, then closed. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('verifier', () => {
  it('a port closed when verified resolves its open alert', { timeout: 120_000 }, async () => {
    const port = await closedPort();
    env = analyzerEnv({ PORTHOLE_VERIFY_ALLOWED_NETWORKS: '127.0.0.1/32', PORTHOLE_VERIFY_BATCH_DELAY: '200ms' });
    const e = env;
    proc = startPorthole(['verifier'], e.env);
    await proc.waitFor((l) => l.msg === 'verifier running', 60_000);
    const alert = newServiceAlert(
      observation({ ip: '127.0.0.1', port, window_start: Date.now() }),
      'low',
      false,
      Date.now(),
    );
    const store = new Store({ url: CH_URL, user: 'default', password: null, database: e.db });
    await insertRows(store, 'alerts', [alert]);
    await store.close();
    const producer = kafkaClient().producer();
    await producer.connect();
    // as the analyzer publishes it: an ECS document
    await producer.send({
      topic: e.alertsTopic,
      messages: [{ key: alert.ip, value: JSON.stringify(ecsAlert(alert, 'test')) }],
    });
    await producer.disconnect();
    let events: Array<{ state: string; actor: string; note: string }> = [];
    for (const end = Date.now() + 60_000; Date.now() < end && events.length === 0; await sleep(1000))
      events = await chQuery(
        `SELECT state, actor, note FROM ${e.db}.alert_events WHERE alert_id = '${alert.alert_id}'`,
      );
    expect(events).toEqual([{ state: 'resolved', actor: 'porthole', note: 'closed_now (nmap)' }]);
    const [v] = await chQuery<{ status: string; ts: string }>(
      `SELECT status, toString(ts) AS ts FROM ${e.db}.verifications WHERE status != 'pending'`,
    );
    expect(v.status).toBe('closed_now');
    const ended = await chQuery<{ event: string; reason: string; ts: string }>(
      `SELECT event, reason, toString(ts) AS ts FROM ${e.db}.exposure_events WHERE port = ${port}`,
    );
    expect(ended).toEqual([{ event: 'close', reason: 'closed_now', ts: v.ts }]);
  });
});
