// The capture interface deleted under a running sensor while connections flow (a mirror lab's
// monitor veth). Policy "wait": the sensor stays up, logs and reports the loss, the Observations
// of the window before it reach Kafka, and once the veth is back the capture resumes into the
// same tracker (a new handshake is observed). Policy "exit": the open window is flushed to Kafka
// and the sensor exits 1 naming the interface and libpcap's reason.

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, deleteTopics, randomTopic, readTopic } from '../support/kafka.js';
import { CONNECT_CLIENT, createMirrorLab, type MirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../support/netns.js';
import { type PortholeProc, startSensor, startSensorWithCaps } from '../support/porthole-process.js';

/** Connects to host:port every 20 ms for the given seconds (refused or cut connections are fine). */
const REPEAT_CLIENT = `
import socket, sys, time
host, port, end = sys.argv[1], int(sys.argv[2]), time.time() + float(sys.argv[3])
while time.time() < end:
    s = socket.socket(); s.settimeout(0.5)
    try: s.connect((host, port)); s.recv(16)
    except OSError: pass
    s.close(); time.sleep(0.02)
`;

type Status = Record<string, unknown>;
/** libpcap's reason for a deleted interface: "went down" when it reads the error while the
 * deletion is under way (the link is set down before it is removed). */
const GONE = /^The interface (disappeared|went down)$/;
type Obs = { ip: string; port: number; evidence: string; handshakes: number };
const status = (l: Record<string, unknown>): Status | undefined =>
  l.msg === 'sensor status' ? (l.status as Status) : undefined;
const portsIn = (msgs: unknown[]): Set<number> =>
  new Set((msgs as Obs[]).filter((m) => m.ip === SERVER_V4).map((m) => m.port));

let lab: MirrorLab;
const sensors: PortholeProc[] = [];
const topics = ['obs-a', 'status-a', 'obs-b', 'status-b'].map(randomTopic);
const envFor = (obs: string, st: string): Record<string, string> => ({
  PORTHOLE_KAFKA_BROKERS: BROKERS.join(','),
  PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: obs,
  PORTHOLE_KAFKA_STATUS_TOPIC: st,
});

beforeAll(async () => {
  lab = createMirrorLab();
  const server = lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, '7001', '7002', '7003', '7004']);
  await new Promise<void>((r) => server.stdout!.once('data', () => r()));
});

afterAll(async () => {
  for (const s of sensors) await s.stop();
  lab?.cleanup();
  await deleteTopics(topics);
});

const connect = (port: string): void => {
  lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, port]);
};

describe('a capture interface lost under the sensor', () => {
  it('wait: stays up, reports the loss, flushes the window before it, resumes when the interface is back', async () => {
    // never root, holding the capture capabilities (as deploy/systemd runs it): it may reopen
    const sensor = startSensorWithCaps(
      ['--iface', lab.monitor, '--window', '1s', '--status-interval', '1s', '--sensor-id', `loss-${lab.tag}`],
      envFor(topics[0], topics[1]),
    );
    sensors.push(sensor);
    await sensor.waitFor((l) => status(l)?.kafka_connected === true, 30_000);
    connect('7001');
    lab.spawnIn(lab.cli, ['python3', '-c', REPEAT_CLIENT, SERVER_V4, '7002', '6']); // flows through the loss
    await sensor.waitFor((l) => (status(l)?.handshakes as number) >= 5, 15_000);

    lab.dropMonitor();
    const lost = await sensor.waitFor((l) => String(l.msg).startsWith('capture lost'), 10_000);
    expect(lost).toMatchObject({ iface: lab.monitor, reason: expect.stringMatching(GONE) });
    expect(lost.msg).toBe('capture lost: waiting for it to return');
    const waiting = status(await sensor.waitFor((l) => status(l)?.capture_state === 'waiting', 5_000))!;
    expect(waiting.capture_error).toBe(`${lab.monitor}: ${lost.reason}`);
    expect(waiting.interface_losses).toBe(1);
    await sensor.waitFor((l) => l.msg === 'waiting for interface' && l.state === 'absent', 5_000);

    // the window before the loss reaches Kafka while the sensor waits
    const before = await readTopic(topics[0], (m) => portsIn(m).has(7001) && portsIn(m).has(7002), 20_000);
    expect([...portsIn(before)].sort()).toEqual([7001, 7002]);
    expect(sensor.child.exitCode).toBeNull();

    lab.restoreMonitor();
    await sensor.waitFor((l) => l.msg === 'capture resumed' && l.iface === lab.monitor, 15_000);
    connect('7003');
    const after = (await readTopic(topics[0], (m) => portsIn(m).has(7003), 20_000)) as Obs[];
    expect(after.filter((m) => m.port === 7003).map((m) => m.evidence)).toEqual(['handshake']);
    const back = status(
      await sensor.waitFor((l) => status(l)?.capture_state === 'capturing' && status(l)?.interface_losses === 1, 5_000),
    )!;
    expect(back.capture_error).toBeNull();
    expect(typeof back.kernel_drops).toBe('number');
    expect(typeof back.iface_drops).toBe('number');
    expect(await sensor.stop()).toBe(0);
  }, 120_000);

  it('exit: flushes the open window to Kafka, then exits 1 naming the interface', async () => {
    if (!existsSync(`/sys/class/net/${lab.monitor}`)) lab.restoreMonitor(); // the test before failed midway
    const sensor = startSensor(
      ['--iface', lab.monitor, '--on-interface-loss', 'exit', '--window', '1m', '--status-interval', '1s'],
      envFor(topics[2], topics[3]),
    );
    sensors.push(sensor);
    await sensor.waitFor((l) => status(l)?.kafka_connected === true, 30_000);
    connect('7004');
    await sensor.waitFor((l) => (status(l)?.handshakes as number) >= 1, 15_000);
    const exited = new Promise<number | null>((r) => sensor.child.once('exit', (code) => r(code)));

    lab.dropMonitor();
    expect(await exited).toBe(1);
    const line = sensor.stderr
      .join('')
      .split('\n')
      .find((l) => l.startsWith('porthole: capture lost'));
    expect(line).toMatch(new RegExp(`^porthole: capture lost on ${lab.monitor}: ${GONE.source.slice(1)}`));
    expect(sensor.logs.map((l) => l.msg)).toContain('capture lost: flushing and stopping');
    // the one-minute window was open: only the flush can have sent its Observation
    const obs = (await readTopic(topics[2], (m) => portsIn(m).has(7004), 15_000)) as Obs[];
    expect(obs.filter((m) => m.port === 7004).map((m) => m.evidence)).toEqual(['handshake']);
    const statuses = (await readTopic(
      topics[3],
      (m) => (m as Status[]).some((s) => s.capture_state === 'lost'),
      10_000,
    )) as Status[];
    expect(statuses.find((s) => s.capture_state === 'lost')?.capture_error).toMatch(
      new RegExp(`^${lab.monitor}: ${GONE.source.slice(1)}`),
    );
    lab.restoreMonitor(); // for the lab's cleanup, as the other tests leave it
  }, 90_000);
});
