// The metrics server (common/metrics.ts) on a real loopback socket, scraped with fetch: GET
// /metrics gives the registry's text, anything else 404; a port already taken gives one warning
// and no server, never an exception. The views (common/metric-views.ts) read their source when
// scraped, once per scrape. The listen addresses each process accepts, and their defaults.

import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';
import { counterView, gaugeView, labelledCounterView, perScrape } from '../../common/metric-views.js';
import { type MetricsServer, serveMetrics } from '../../common/metrics.js';
import { parseListen } from '../../schemas/config-values.js';
import { ConfigError } from '../../common/errors.js';
import { loadSensorConfig } from '../../sensor/config.js';

/** A real pino logger whose JSON lines are kept. */
function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, out), lines };
}

const open: MetricsServer[] = [];
const held: Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const s of held.splice(0)) await new Promise((r) => s.close(r));
});

describe('serveMetrics', () => {
  it('serves the registry at GET /metrics, 404 for any other path or method', async () => {
    const registry = new Registry();
    let packets = 0;
    counterView(registry, 'porthole_test_packets_total', 'Packets.', () => packets);
    const { logger, lines } = memoryLogger();
    const server = await serveMetrics(registry, { host: '127.0.0.1', port: 0 }, logger);
    expect(server).not.toBeNull();
    open.push(server!);
    const base = `http://127.0.0.1:${server!.address.port}`;
    expect(lines.some((l) => l.msg === 'metrics served' && l.listen === `127.0.0.1:${server!.address.port}`)).toBe(
      true,
    );

    packets = 7;
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    expect(text).toContain('# HELP porthole_test_packets_total Packets.');
    expect(text).toContain('# TYPE porthole_test_packets_total counter');
    expect(text).toMatch(/^porthole_test_packets_total 7$/m);
    packets = 9; // read again at the next scrape
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^porthole_test_packets_total 9$/m);

    for (const path of ['/', '/metrics/', '/favicon.ico', '/metricsx']) {
      const other = await fetch(`${base}${path}`);
      expect(other.status, path).toBe(404);
      await other.text();
    }
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(404);
    await post.text();
  });

  it('a port in use: one warning, no server, no exception; the holder keeps serving', async () => {
    const registry = new Registry();
    const first = await serveMetrics(registry, { host: '127.0.0.1', port: 0 }, memoryLogger().logger);
    open.push(first!);
    const { logger, lines } = memoryLogger();
    const second = await serveMetrics(registry, { host: '127.0.0.1', port: first!.address.port }, logger);
    expect(second).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe(40); // warn
    expect(lines[0].msg).toBe('metrics not served (metrics.listen): the port is in use; running without them');
    expect(lines[0].code).toBe('EADDRINUSE');
    expect((await fetch(`http://127.0.0.1:${first!.address.port}/metrics`)).status).toBe(200);
  });

  it('binds only the address given', async () => {
    // a port held on 127.0.0.2 does not stop one on 127.0.0.1: nothing binds the wildcard
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.2', r));
    held.push(other);
    const port = (other.address() as { port: number }).port;
    const server = await serveMetrics(new Registry(), { host: '127.0.0.1', port }, memoryLogger().logger);
    expect(server).not.toBeNull();
    open.push(server!);
    // and nothing answers on another loopback address at its port
    const alone = await serveMetrics(new Registry(), { host: '127.0.0.1', port: 0 }, memoryLogger().logger);
    open.push(alone!);
    expect((await fetch(`http://127.0.0.1:${alone!.address.port}/metrics`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.2:${alone!.address.port}/metrics`)).rejects.toThrow();
  });

  it('close() ends the server with a scraper still connected (keep-alive)', async () => {
    const server = await serveMetrics(new Registry(), { host: '127.0.0.1', port: 0 }, memoryLogger().logger);
    const url = `http://127.0.0.1:${server!.address.port}/metrics`;
    await (await fetch(url)).text(); // fetch keeps the connection open
    await server!.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('metric views', () => {
  it('read their source once per scrape, labelled counters per value', async () => {
    const registry = new Registry();
    let reads = 0;
    const now = perScrape(() => {
      reads++;
      return { a: 3, q: 5, reasons: { non_tcp: 2, truncated_tcp: 1 } };
    });
    counterView(registry, 'porthole_t_a_total', 'A.', () => now().a);
    gaugeView(registry, 'porthole_t_q', 'Q.', () => now().q);
    labelledCounterView(registry, 'porthole_t_fail_total', 'F.', 'reason', () => now().reasons);
    const text = await registry.metrics();
    expect(reads).toBe(1);
    expect(text).toMatch(/^porthole_t_a_total 3$/m);
    expect(text).toMatch(/^# TYPE porthole_t_q gauge$/m);
    expect(text).toMatch(/^porthole_t_q 5$/m);
    expect(text).toMatch(/^porthole_t_fail_total\{reason="non_tcp"\} 2$/m);
    expect(text).toMatch(/^porthole_t_fail_total\{reason="truncated_tcp"\} 1$/m);
    await new Promise((r) => setImmediate(r));
    await registry.metrics();
    expect(reads).toBe(2);
  });
});

describe('listen addresses', () => {
  it('parses address:port, IPv6 in brackets; refuses names, bad ports and bare IPv6', () => {
    expect(parseListen('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListen('0.0.0.0:1')).toEqual({ host: '0.0.0.0', port: 1 });
    expect(parseListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 }); // a free port
    for (const bad of [
      'localhost:9464',
      '::1:9464',
      '[127.0.0.1]:9464',
      '127.0.0.1',
      '1.2.3.4:65536',
      ':9464',
      '256.1.1.1:80',
    ])
      expect(parseListen(bad), bad).toHaveProperty('error');
  });

  it('defaults: one loopback port per process; empty turns metrics off', () => {
    expect(loadSensorConfig({ env: {}, needSource: false }).metricsListen).toEqual({ host: '127.0.0.1', port: 9464 });
    const a = loadAnalyzerConfig({ env: {} });
    expect(a.metricsListen).toEqual({ host: '127.0.0.1', port: 9465 });
    expect(a.verify.metricsListen).toEqual({ host: '127.0.0.1', port: 9466 });
    // an empty environment variable counts as unset: "off" turns metrics off from there
    expect(loadSensorConfig({ env: { PORTHOLE_METRICS_LISTEN: '' }, needSource: false }).metricsListen).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
    expect(loadSensorConfig({ env: { PORTHOLE_METRICS_LISTEN: 'off' }, needSource: false }).metricsListen).toBeNull();
    const off = loadAnalyzerConfig({ env: {}, flags: { 'metrics.listen': '', 'verify.metricsListen': null } });
    expect(off.metricsListen).toBeNull();
    expect(off.verify.metricsListen).toBeNull();
  });

  it('a bad address is a configuration error naming the key and the value', () => {
    const bad = () => loadSensorConfig({ env: { PORTHOLE_METRICS_LISTEN: 'localhost:9464' }, needSource: false });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /^invalid configuration: metrics\.listen \(PORTHOLE_METRICS_LISTEN\): not an IP address .*"localhost:9464"$/,
    );
  });
});
