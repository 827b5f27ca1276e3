// End to end, all real: servers in a network namespace (an HTTP server and Redis from Debian's
// packages, plus a closed port), clients in another, a tc mirror of their link onto a monitor
// veth, `porthole sensor` capturing there (after `porthole prepare-mirror`), and a real Kafka
// topic read back. Exactly the endpoints that accepted connections appear, with full-handshake
// evidence; the closed port does not; health messages arrive; the sensor runs as nobody.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, deleteTopics, randomTopic, readTopic } from '../support/kafka.js';
import { CLIENT_V4, CONNECT_CLIENT, createMirrorLab, type MirrorLab, SERVER_V4, SERVER_V6 } from '../support/netns.js';
import { porthole } from '../support/porthole.js';
import { type PortholeProc, startSensor } from '../support/porthole-process.js';

let lab: MirrorLab;
let sensor: PortholeProc | null = null;
const obsTopic = randomTopic('obs');
const statusTopic = randomTopic('status');

beforeAll(() => {
  lab = createMirrorLab();
});

afterAll(async () => {
  await sensor?.stop();
  lab?.cleanup();
  await deleteTopics([obsTopic, statusTopic]);
});

describe('porthole sensor on a mirror port', () => {
  it('publishes exactly the endpoints that accepted connections', async () => {
    const prep = porthole(['prepare-mirror', lab.monitor]);
    expect(prep.status).toBe(0);
    expect(execFileSync('ip', ['-o', 'link', 'show', lab.monitor], { encoding: 'utf8' })).toMatch(/PROMISC/);

    const http = lab.spawnIn(lab.srv, ['python3', '-m', 'http.server', '8080', '--bind', '::']);
    const redis = lab.spawnIn(lab.srv, [
      'redis-server',
      '--port',
      '6379',
      '--bind',
      '0.0.0.0 ::',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ]);
    void http;
    void redis;
    lab.run(lab.cli, [
      'python3',
      '-c',
      'import time,socket\nfor _ in range(50):\n  try: socket.create_connection(("192.0.2.1",6379),1).close(); socket.create_connection(("192.0.2.1",8080),1).close(); break\n  except OSError: time.sleep(0.2)',
    ]);

    sensor = startSensor(
      ['--iface', lab.monitor, '--window', '1s', '--status-interval', '1s', '--sensor-id', `e2e-${lab.tag}`],
      {
        PORTHOLE_KAFKA_BROKERS: BROKERS.join(','),
        PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: obsTopic,
        PORTHOLE_KAFKA_STATUS_TOPIC: statusTopic,
      },
    );
    await sensor.waitFor((l) => l.msg === 'dropped privileges', 15_000);
    await sensor.waitFor(
      (l) => (l.status as { kafka_connected?: boolean } | undefined)?.kafka_connected === true,
      30_000,
    );
    const user = execFileSync('ps', ['-o', 'user=', '-p', String(sensor.child.pid)], { encoding: 'utf8' }).trim();
    expect(user).toBe('nobody');

    lab.run(lab.cli, ['curl', '-sS', '-o', '/dev/null', `http://${SERVER_V4}:8080/`]);
    lab.run(lab.cli, ['curl', '-sS', '-o', '/dev/null', '-g', `http://[${SERVER_V6}]:8080/`]);
    expect(lab.run(lab.cli, ['redis-cli', '-h', SERVER_V4, '-p', '6379', 'ping']).trim()).toBe('PONG');
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, '9999']); // closed: RST

    const want = [`${SERVER_V4}|6379`, `${SERVER_V4}|8080`, `${SERVER_V6}|8080`].sort();
    const seen = (msgs: unknown[]): string[] =>
      [...new Set((msgs as Array<{ ip: string; port: number }>).map((m) => `${m.ip}|${m.port}`))].sort();
    const msgs = (await readTopic(obsTopic, (m) => seen(m).length >= want.length, 30_000)) as Array<
      Record<string, unknown>
    >;
    expect(seen(msgs)).toEqual(want);
    for (const m of msgs) {
      expect(m.evidence).toBe('handshake');
      expect(m.sensor).toBe(`e2e-${lab.tag}`);
      expect([CLIENT_V4, '2001:db8:5::2']).toContain(m.sample_client);
    }

    type St = Record<string, number>;
    const complete = (s: St): boolean => s.rejected >= 1 && s.handshakes >= 3;
    const statuses = (await readTopic(statusTopic, (m) => (m as St[]).some(complete), 15_000)) as St[];
    const last = statuses.find(complete)!;
    expect(last, JSON.stringify(statuses[statuses.length - 1])).toBeDefined();
    expect(last.packets).toBeGreaterThan(0);
    expect(last.decoded).toBeGreaterThan(0);
    expect(last.dropped_before_kafka).toBe(0);
    expect(await sensor.stop()).toBe(0);
    sensor = null;
  });
});
