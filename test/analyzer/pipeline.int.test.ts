// A capture replayed through the whole chain — `porthole sensor --pcap` → Kafka →
// `porthole analyzer` → ClickHouse — gives an inventory (`porthole services --json`) equal to
// the capture's truth: `porthole replay --window 5s` of the same file, aggregated per endpoint.
// Each new endpoint inside the home networks raises exactly one alert; the one outside raises none.
// The sensor's health messages are stored by the analyzer (sensor_status), which then stops cleanly.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzerEnv } from '../support/analyzer-env.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { chQuery } from '../support/clickhouse.js';
import { readAlerts } from '../support/kafka.js';
import { inventoryOf } from '../support/observations.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { replayJson } from '../support/porthole.js';
import { conversation, ipOf, type Seg } from '../support/scenarios.js';
import { HLL_STANDARD_ERROR } from '../../common/hll.js';
import { sleep } from '../../common/time.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-pipe-'));
const A = analyzerEnv();
let analyzer: PortholeProc | null = null;

afterAll(async () => {
  await analyzer?.stop();
  await A.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.now() - 120_000; // recent, so nothing is stale

function capture(): string {
  const servers = [
    ['192.0.2.10', 80],
    ['192.0.2.10', 443],
    ['192.0.2.11', 22],
    ['192.0.2.12', 8080],
    ['2001:db8:2::10', 443],
    ['2001:db8:2::11', 5432],
    ['203.0.113.9', 80],
  ] as const;
  const segs: Seg[] = [];
  let n = 0;
  for (let t = 0; t < 22_000; t += 700) {
    const [s, p] = servers[n % servers.length];
    const client = s.includes(':') ? `2001:db8:1::${(n % 5) + 1}` : `198.51.100.${(n % 5) + 1}`;
    segs.push(...conversation(client, s, 30000 + n, p, T0 + t, n % 4 === 3 ? 'open-no-ack' : 'open'));
    n++;
  }
  segs.push(...conversation('198.51.100.9', '192.0.2.13', 41000, 3306, T0 + 5000, 'closed'));
  const file = join(dir, 'pipeline.pcap');
  writeFileSync(
    file,
    pcapFile(
      segs.sort((a, b) => a.ts - b.ts).map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
      { linktype: 1 },
    ),
  );
  return file;
}

describe('sensor → Kafka → analyzer → ClickHouse', () => {
  it('the inventory equals the capture truth, with one alert per new home endpoint', async () => {
    const file = capture();
    const truth = new Map<string, { first_seen: number; last_seen: number; handshakes: number; clients: number }>();
    // distinct clients across windows: every window here has fewer clients than its sample holds
    const clientsOf = new Map<string, Set<string>>();
    for (const o of replayJson([file], ['--window', '5s'])) {
      const k = `${o.ip}|${o.port}`;
      expect(o.clients as number).toBeLessThanOrEqual((o.sample_clients as string[]).length);
      clientsOf.set(k, new Set([...(clientsOf.get(k) ?? []), ...(o.sample_clients as string[])]));
      const c = truth.get(k);
      const v = {
        first_seen: o.first_seen as number,
        last_seen: o.last_seen as number,
        handshakes: o.handshakes as number,
        clients: 0,
      };
      if (!c) truth.set(k, v);
      else
        truth.set(k, {
          first_seen: Math.min(c.first_seen, v.first_seen),
          last_seen: Math.max(c.last_seen, v.last_seen),
          handshakes: c.handshakes + v.handshakes,
          clients: 0,
        });
    }
    expect(truth.size).toBe(7);

    analyzer = startPorthole(['analyzer'], A.env);
    await analyzer.waitFor((l) => l.msg === 'joined consumer group', 60_000);
    const pub = await import('node:child_process').then((cp) =>
      cp.spawnSync(
        process.execPath,
        ['bin/porthole.js', 'sensor', '--pcap', file, '--window', '5s', '--sensor-id', 'pipeline'],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: A.obsTopic,
            PORTHOLE_KAFKA_STATUS_TOPIC: A.statusTopic,
          },
        },
      ),
    );
    expect(pub.status).toBe(0);

    const deadline = Date.now() + 60_000;
    let rows: Array<Record<string, unknown>> = [];
    while (Date.now() < deadline) {
      rows = A.services();
      const inv = inventoryOf(rows);
      // the windows are stored before the states derived from them: wait for both
      const tracked = rows.filter((r) => r.ip !== '203.0.113.9').every((r) => r.state !== 'untracked');
      if (inv.size === truth.size && tracked && [...truth].every(([k, v]) => inv.get(k)?.handshakes === v.handshakes))
        break;
      await sleep(1000);
    }
    const inv = inventoryOf(rows);
    // the distinct-client count is an estimate: within three standard errors (at least one client)
    for (const [k, t] of inv) {
      const n = clientsOf.get(k)?.size ?? 0;
      expect(Math.abs(t.clients - n), k).toBeLessThanOrEqual(Math.max(1, Math.ceil(3 * HLL_STANDARD_ERROR * n)));
      t.clients = 0;
    }
    expect(Object.fromEntries([...inv].sort())).toEqual(Object.fromEntries([...truth].sort()));
    const byKey = new Map(rows.map((r) => [`${r.ip}|${r.port}`, r]));
    expect(byKey.get('203.0.113.9|80')!.state).toBe('untracked');
    expect(byKey.get('192.0.2.10|80')!.state).toBe('new');
    expect(byKey.get('192.0.2.11|22')!.evidence).toBe('handshake');

    const alerts = (await readAlerts(A.alertsTopic, (m) => m.length >= 6, 30_000)) as Array<{
      kind: string;
      ip: string;
      port: number;
      severity: string;
    }>;
    await sleep(3000); // nothing more may come
    const again = (await readAlerts(A.alertsTopic, (m) => m.length >= 6, 10_000)) as typeof alerts;
    expect(again.length).toBe(6);
    expect(new Set(alerts.map((a) => `${a.ip}|${a.port}`)).size).toBe(6);
    expect(alerts.every((a) => a.kind === 'new_service')).toBe(true);
    expect(alerts.find((a) => a.port === 22)!.severity).toBe('high');

    const statuses = () =>
      chQuery<{ source: string; capture_state: string; packets: string }>(
        `SELECT source, capture_state, packets FROM ${A.db}.sensor_status WHERE sensor = 'pipeline' ORDER BY ts`,
      );
    const stored = Date.now() + 30_000;
    while ((await statuses()).length === 0 && Date.now() < stored) await sleep(500);
    const last = (await statuses()).at(-1);
    expect(last).toMatchObject({ capture_state: 'capturing' });
    expect(last!.source).toMatch(/pcap/);
    expect(Number(last!.packets)).toBeGreaterThan(0);
    expect(await analyzer.stop()).toBe(0);
    analyzer = null;
  });
});
