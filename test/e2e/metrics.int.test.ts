// The Prometheus metrics of real processes on one capture: `porthole sensor --pcap -` (fed on
// stdin, held open so it can be scraped once every frame is in), `porthole analyzer` and
// `porthole verifier` on the shared Kafka and ClickHouse, each on a loopback port of its own.
// The sensor's totals equal the capture's frames and its own final status line; the analyzer
// counts every Observation the sensor produced and the alerts they raise; the verifier counts the
// refusals of those alerts' verifications (it may scan nothing here). A second sensor whose port
// is taken warns once and runs to the end.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import { analyzerEnv } from '../support/analyzer-env.js';
import { eth, etherTypeOf, pcapFile } from '../support/frames.js';
import { freePort, scrape } from '../support/metrics.js';
import { BIN } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';
import { conversation, ipOf, type Seg } from '../support/scenarios.js';

const A = analyzerEnv();
const dir = mkdtempSync(join(tmpdir(), 'porthole-metrics-'));
const procs: PortholeProc[] = [];

afterAll(async () => {
  for (const p of procs) await p.stop();
  await A.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.now() - 120_000;

/** Connections to four home services (one closed port among them), as a classic pcap. */
function capture(): { bytes: Uint8Array; frames: number; lastTs: number } {
  const segs: Seg[] = [];
  const servers = [
    ['192.0.2.20', 22],
    ['192.0.2.20', 443],
    ['192.0.2.21', 5432],
    ['2001:db8:3::20', 443],
  ] as const;
  for (let n = 0; n < 24; n++) {
    const [s, p] = servers[n % servers.length];
    const client = s.includes(':') ? `2001:db8:1::${(n % 3) + 1}` : `198.51.100.${(n % 3) + 1}`;
    segs.push(...conversation(client, s, 31000 + n, p, T0 + n * 500, 'open'));
  }
  segs.push(...conversation('198.51.100.9', '192.0.2.22', 41000, 3306, T0 + 3000, 'closed'));
  segs.sort((a, b) => a.ts - b.ts);
  const bytes = pcapFile(
    segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
    { linktype: 1 },
  );
  return { bytes, frames: segs.length, lastTs: segs[segs.length - 1].ts };
}

/** Scrape until `ok` holds (or `ms` pass: the last scrape is returned for the assertions to say why). */
async function scrapeUntil(port: number, ok: (m: Map<string, number>) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  let m = await scrape(port);
  while (!ok(m) && Date.now() < deadline) {
    await sleep(250);
    m = await scrape(port);
  }
  return m;
}

const sensorEnv = (port: number): Record<string, string> => ({
  PORTHOLE_KAFKA_BROKERS: A.env.PORTHOLE_KAFKA_BROKERS,
  PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: A.obsTopic,
  PORTHOLE_KAFKA_STATUS_TOPIC: A.statusTopic,
  PORTHOLE_METRICS_LISTEN: `127.0.0.1:${port}`,
});

describe('metrics of a sensor, an analyzer and a verifier', () => {
  it('count what the capture holds, all the way to the verifier', async () => {
    const [sPort, aPort, vPort] = [await freePort(), await freePort(), await freePort()];
    const analyzer = startPorthole(['analyzer'], { ...A.env, PORTHOLE_METRICS_LISTEN: `127.0.0.1:${aPort}` });
    procs.push(analyzer);
    const verifier = startPorthole(['verifier'], { ...A.env, PORTHOLE_VERIFY_METRICS_LISTEN: `127.0.0.1:${vPort}` });
    procs.push(verifier);
    await analyzer.waitFor((l) => l.msg === 'joined consumer group', 60_000);
    await verifier.waitFor((l) => l.msg === 'verifier running', 60_000);
    expect(verifier.logs.find((l) => l.msg === 'metrics served')?.listen).toBe(`127.0.0.1:${vPort}`);

    const cap = capture();
    const sensor = startPorthole(
      ['sensor', '--pcap', '-', '--window', '5s', '--sensor-id', 'metrics'],
      sensorEnv(sPort),
      BIN,
      [],
      'pipe',
    );
    procs.push(sensor);
    await sensor.waitFor((l) => l.msg === 'metrics served', 30_000);
    sensor.child.stdin!.write(cap.bytes);
    const s = await scrapeUntil(sPort, (m) => m.get('porthole_packets_total') === cap.frames, 20_000);
    expect(s.get('porthole_packets_total')).toBe(cap.frames);
    expect(s.get('porthole_decoded_segments_total')).toBe(cap.frames); // every frame is TCP
    expect([...s.keys()].filter((k) => k.startsWith('porthole_decode_failures_total'))).toEqual([]);
    expect(s.get('porthole_handshakes_total')).toBe(24);
    expect(s.get('porthole_rejected_total')).toBe(1);
    expect(s.get('porthole_last_packet_timestamp_seconds')).toBeCloseTo(cap.lastTs / 1000, 3);
    expect(s.get('porthole_kernel_drops_total')).toBe(0); // a file has no kernel buffer
    for (const name of ['porthole_flows', 'porthole_publish_queue_depth', 'porthole_kafka_publish_errors_total'])
      expect(s.has(name), name).toBe(true);

    // end of input: the sensor flushes and stops; its last status says what the metrics said
    sensor.child.stdin!.end();
    const last = await sensor.waitFor((l) => l.msg === 'sensor stopped', 30_000);
    for (const [field, metric] of [
      ['packets', 'porthole_packets_total'],
      ['decoded', 'porthole_decoded_segments_total'],
      ['handshakes', 'porthole_handshakes_total'],
      ['rejected', 'porthole_rejected_total'],
    ] as const)
      expect(last[field], field).toBe(s.get(metric));
    const observations = last.observations as number;
    expect(observations).toBeGreaterThan(0);
    const code =
      sensor.child.exitCode ?? (await new Promise<number | null>((r) => sensor.child.once('exit', (c) => r(c))));
    expect(code).toBe(0);

    const a = await scrapeUntil(
      aPort,
      (m) =>
        m.get('porthole_observations_consumed_total') === observations &&
        (m.get('porthole_alerts_raised_total{kind="new_service"}') ?? 0) === 4,
      30_000,
    );
    expect(a.get('porthole_observations_consumed_total')).toBe(observations);
    expect(a.get('porthole_alerts_raised_total{kind="new_service"}')).toBe(4); // the four services that answered
    expect(a.get('porthole_clickhouse_insert_duration_seconds_count{table="observations"}')).toBeGreaterThan(0);
    const lags = [...a].filter(([k]) => k.startsWith('porthole_kafka_consumer_lag{'));
    expect(lags.length).toBeGreaterThan(0);
    expect(lags.every(([, v]) => v === 0)).toBe(true); // all consumed
    expect([...a.keys()].filter((k) => k.startsWith('porthole_dead_letters_total'))).toEqual([]);

    // verify.allowedNetworks is empty: each new service's verification is refused, and counted
    const v = await scrapeUntil(vPort, (m) => m.get('porthole_verifications_total{status="refused"}') === 4, 30_000);
    expect(v.get('porthole_verifications_total{status="refused"}')).toBe(4);
    expect(v.get('porthole_verifications_queued')).toBe(0);
    expect(v.get('porthole_nmap_run_duration_seconds_count')).toBe(0);

    // another sensor on the analyzer's port: one warning, and it runs to the end all the same
    const file = join(dir, 'metrics.pcap');
    writeFileSync(file, cap.bytes);
    const again = spawnSync(process.execPath, [BIN, 'sensor', '--pcap', file, '--sensor-id', 'metrics-2'], {
      encoding: 'utf8',
      env: { ...process.env, ...sensorEnv(aPort), PORTHOLE_LOG_FORMAT: 'json' },
      timeout: 30_000,
    });
    expect(again.status, again.stderr).toBe(0);
    const lines = again.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const warned = lines.filter((l) => String(l.msg).startsWith('metrics not served'));
    expect(warned).toHaveLength(1);
    expect(warned[0].msg).toBe('metrics not served (metrics.listen): the port is in use; running without them');
    expect(lines.some((l) => l.msg === 'sensor stopped')).toBe(true);
  }, 90_000);
});
