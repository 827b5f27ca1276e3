// Alert policy, with the real analyzer, Kafka and ClickHouse: exactly one alert per new endpoint
// across a restart (and a webhook receives it); the learning period and expected services
// suppress alerts; a host answering on too many ports is flagged once instead; an endpoint
// that went stale and is seen again raises one "reopened" alert; the verifier's own probes
// (policy.scannerAddresses) make no service.

import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { analyzerStarter, sendObservations as send, until } from '../support/analyzer-run.js';
import { readAlerts } from '../support/kafka.js';
import { observation } from '../support/observations.js';
import type { PortholeProc } from '../support/porthole-process.js';
import { sleep } from '../../common/time.js';

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];
let server: Server | null = null;

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
  server?.close();
  server = null;
  await env?.cleanup();
  env = null;
});

const analyzer = analyzerStarter(procs);

type Alert = { alert_id: string; kind: string; ip: string; port: number; severity: string };

describe('alerts', () => {
  it('one per new endpoint, across a restart; webhooks receive them', async () => {
    const hooks: Alert[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        hooks.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    env = analyzerEnv({ PORTHOLE_ALERTS_WEBHOOKS: url });
    const now = Date.now() - 60_000;
    const first = [
      observation({ ip: '192.0.2.1', port: 443, window_start: now }),
      observation({ ip: '2001:db8::1', port: 22, window_start: now }),
    ];
    const a1 = await analyzer(env);
    await send(env, first);
    await until(() => hooks.length >= 2, 30_000);
    await a1.stop();
    procs.splice(procs.indexOf(a1), 1);
    // restart, and the same endpoints are seen again (later windows and a redelivery)
    await analyzer(env);
    await send(env, [
      ...first,
      observation({ ip: '192.0.2.1', port: 443, window_start: now + 5000 }),
      observation({ ip: '192.0.2.2', port: 80, window_start: now + 5000 }),
    ]);
    await until(() => hooks.length >= 3, 30_000);
    await sleep(3000);
    const topic = (await readAlerts(env.alertsTopic, (m) => m.length >= 3, 15_000)) as Alert[];
    expect(topic.map((a) => `${a.kind}|${a.ip}|${a.port}`).sort()).toEqual([
      'new_service|192.0.2.1|443',
      'new_service|192.0.2.2|80',
      'new_service|2001:db8::1|22',
    ]);
    expect(hooks.map((a) => a.alert_id).sort()).toEqual(topic.map((a) => a.alert_id).sort());
    expect(topic.find((a) => a.port === 22)!.severity).toBe('high');
  });

  it('the learning period and expected services suppress alerts', async () => {
    env = analyzerEnv({ PORTHOLE_POLICY_EXPECTED: '192.0.2.0/28:443' });
    const now = Date.now() - 60_000;
    const learner = await analyzer(env, { PORTHOLE_POLICY_LEARNING_PERIOD: '1h' });
    await send(env, [observation({ ip: '192.0.2.3', port: 8080, window_start: now })]);
    await until(() => env!.services().length === 1, 30_000);
    await learner.stop();
    procs.splice(procs.indexOf(learner), 1);
    await analyzer(env); // learning period 0 now: alerts are on
    await send(env, [
      observation({ ip: '192.0.2.4', port: 443, window_start: now }),
      observation({ ip: '192.0.2.5', port: 9090, window_start: now }),
    ]);
    await until(() => env!.services().length === 3, 30_000);
    await sleep(4000);
    const topic = (await readAlerts(env.alertsTopic, () => false, 6000)) as Alert[];
    expect(topic.map((a) => `${a.ip}|${a.port}`)).toEqual(['192.0.2.5|9090']);
    const st = Object.fromEntries(env.services().map((r) => [`${r.ip}|${r.port}`, r.state]));
    expect(st).toEqual({ '192.0.2.3|8080': 'active', '192.0.2.4|443': 'active', '192.0.2.5|9090': 'new' });
  });

  it('a SYN-proxy host is flagged once, not per port; a stale endpoint seen again is reopened', async () => {
    env = analyzerEnv({ PORTHOLE_POLICY_SYN_PROXY_PORTS: '5', PORTHOLE_POLICY_STALE_AFTER: '3s' });
    await analyzer(env);
    const now = Date.now();
    await send(
      env,
      Array.from({ length: 12 }, (_, i) => observation({ ip: '192.0.2.9', port: 1000 + i, window_start: now - 1000 })),
    );
    await send(env, [
      observation({ ip: '192.0.2.7', port: 25, window_start: now - 1000, first_seen: now - 900, last_seen: now - 800 }),
    ]);
    await until(() => env!.services().some((r) => r.ip === '192.0.2.7' && r.state === 'stale'), 30_000);
    const later = Date.now();
    await send(env, [
      observation({
        ip: '192.0.2.7',
        port: 25,
        window_start: later - 500,
        first_seen: later - 400,
        last_seen: later - 300,
      }),
    ]);
    await until(() => env!.services().some((r) => r.ip === '192.0.2.7' && r.state === 'reopened'), 30_000);
    await sleep(3000);
    const topic = (await readAlerts(env.alertsTopic, () => false, 6000)) as Alert[];
    const kinds = topic.map((a) => `${a.kind}|${a.ip}|${a.port}`).sort();
    expect(kinds).toEqual([
      'new_service|192.0.2.7|25',
      'new_service|192.0.2.9|1000',
      'new_service|192.0.2.9|1001',
      'new_service|192.0.2.9|1002',
      'new_service|192.0.2.9|1003',
      'new_service|192.0.2.9|1004',
      'reopened_service|192.0.2.7|25',
      'syn_proxy_host|192.0.2.9|0',
    ]);
  });

  it("the verifier's own probes (its address the only client) make no service and no alert", async () => {
    env = analyzerEnv({ PORTHOLE_POLICY_SCANNER_ADDRESSES: '198.51.100.250' });
    await analyzer(env);
    const now = Date.now() - 60_000;
    await send(env, [
      observation({ ip: '192.0.2.20', port: 8000, window_start: now, clients: 1, sample_client: '198.51.100.250' }), // a probe only
      observation({ ip: '192.0.2.21', port: 8001, window_start: now, clients: 2, sample_client: '198.51.100.250' }), // others connected too
      observation({ ip: '192.0.2.22', port: 8002, window_start: now, clients: 1, sample_client: '198.51.100.1' }),
    ]);
    await until(() => env!.services().length >= 2, 30_000);
    await sleep(3000);
    expect(
      env
        .services()
        .map((r) => `${r.ip}|${r.port}`)
        .sort(),
    ).toEqual(['192.0.2.21|8001', '192.0.2.22|8002']);
    const topic = (await readAlerts(env.alertsTopic, () => false, 6000)) as Alert[];
    expect(topic.map((a) => `${a.ip}|${a.port}`).sort()).toEqual(['192.0.2.21|8001', '192.0.2.22|8002']);
  });
});
