// A TAP's two ports: the lab copies client -> server frames to one veth and server -> client
// frames to another. A sensor capturing both into one tracker sees full handshakes, as on one
// mirror port; on the server -> client port alone it has only SYN+ACKs ("synack" evidence); on
// the client -> server port alone only SYNs (no Observation). Losing one port of the pair is
// handled as for one interface: reported, waited for, and captured again once it is back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, deleteTopics, randomTopic, readTopic } from '../support/kafka.js';
import { CONNECT_CLIENT, createMirrorLab, type MirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../support/netns.js';
import { type PortholeProc, startSensor, startSensorWithCaps } from '../support/porthole-process.js';

type Status = Record<string, unknown>;
/** libpcap's reason for a deleted interface: "went down" when it reads the error while the
 * deletion is under way (the link is set down before it is removed). */
const GONE = /^The interface (disappeared|went down)$/;
type Obs = { ip: string; port: number; evidence: string; handshakes: number };
const status = (l: Record<string, unknown>): Status | undefined =>
  l.msg === 'sensor status' ? (l.status as Status) : undefined;
const onPort = (msgs: unknown[], port: number): Obs[] =>
  (msgs as Obs[]).filter((m) => m.ip === SERVER_V4 && m.port === port);

let lab: MirrorLab;
const sensors: PortholeProc[] = [];
const names = ['pair', 'syn', 'synack'] as const;
const topics = Object.fromEntries(names.map((n) => [n, [randomTopic(`obs-${n}`), randomTopic(`status-${n}`)]]));

beforeAll(async () => {
  lab = createMirrorLab({ tap: true });
  const server = lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, '7301', '7302']);
  await new Promise<void>((r) => server.stdout!.once('data', () => r()));
});

afterAll(async () => {
  for (const s of sensors) await s.stop();
  lab?.cleanup();
  await deleteTopics(Object.values(topics).flat());
});

function start(name: (typeof names)[number], ifaces: string[], withCaps: boolean): PortholeProc {
  const args = [
    '--iface',
    ifaces.join(','),
    '--window',
    '1s',
    '--status-interval',
    '1s',
    '--sensor-id',
    `${name}-${lab.tag}`,
  ];
  const env = {
    PORTHOLE_KAFKA_BROKERS: BROKERS.join(','),
    PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: topics[name][0],
    PORTHOLE_KAFKA_STATUS_TOPIC: topics[name][1],
  };
  const s = withCaps ? startSensorWithCaps(args, env) : startSensor(args, env);
  sensors.push(s);
  return s;
}

describe('a TAP pair captured into one tracker', () => {
  it('sees full handshakes from the two ports together, and not from either alone', async () => {
    const [toServer, toClient] = lab.monitors;
    const pair = start('pair', [toServer, toClient], true);
    const synOnly = start('syn', [toServer], false);
    const synackOnly = start('synack', [toClient], false);
    for (const s of [pair, synOnly, synackOnly]) await s.waitFor((l) => status(l)?.kafka_connected === true, 30_000);

    for (let i = 0; i < 3; i++) lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, '7301']);

    // (the three may fall in two windows)
    const three = (m: unknown[]): boolean => onPort(m, 7301).reduce((n, o) => n + o.handshakes, 0) >= 3;
    const both = onPort(await readTopic(topics.pair[0], three, 20_000), 7301);
    expect(new Set(both.map((o) => o.evidence))).toEqual(new Set(['handshake']));
    expect(both.reduce((n, o) => n + o.handshakes, 0)).toBe(3);
    const half = onPort(await readTopic(topics.synack[0], three, 20_000), 7301);
    expect(new Set(half.map((o) => o.evidence))).toEqual(new Set(['synack']));
    // the SYN port alone: its SYNs are seen, but nothing accepted them
    const syns = status(await synOnly.waitFor((l) => (status(l)?.packets as number) >= 3, 10_000))!;
    expect(syns.handshakes).toBe(0);
    const pairStatus = status(await pair.waitFor((l) => (status(l)?.handshakes as number) >= 3, 10_000))!;
    expect(pairStatus.source).toBe(`iface:${toServer},iface:${toClient}`);
    expect(pairStatus.handshakes).toBe(3);
    // two windows later the SYN-only sensor has still made no Observation
    const later = status(
      await synOnly.waitFor((l) => (status(l)?.uptime_s as number) >= (syns.uptime_s as number) + 2, 10_000),
    )!;
    expect(later.observations).toBe(0);
  }, 120_000);

  it('losing one port of the pair: reported, waited for, captured again when it is back', async () => {
    const [, toClient] = lab.monitors;
    const [pair, , synackOnly] = sensors;
    const exited = new Promise<number | null>((r) => synackOnly.child.once('exit', (code) => r(code)));

    lab.dropMonitor(1);
    const lost = await pair.waitFor((l) => String(l.msg).startsWith('capture lost'), 10_000);
    expect(lost).toMatchObject({
      iface: toClient,
      reason: expect.stringMatching(GONE),
      msg: 'capture lost: waiting for it to return',
    });
    const waiting = status(await pair.waitFor((l) => status(l)?.capture_state === 'waiting', 5_000))!;
    expect(waiting.capture_error).toBe(`${toClient}: ${lost.reason}`);
    // the sensor that gave up root cannot reopen: it says so and stops (after flushing)
    expect(await exited).toBe(1);
    expect(synackOnly.stderr.join('')).toMatch(
      /capture lost on .*: The interface (disappeared|went down); it cannot be reopened without CAP_NET_RAW/,
    );

    lab.restoreMonitor(1);
    await pair.waitFor((l) => l.msg === 'capture resumed' && l.iface === toClient, 15_000);
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, '7302']);
    const again = onPort(await readTopic(topics.pair[0], (m) => onPort(m, 7302).length > 0, 20_000), 7302);
    expect(again.map((o) => o.evidence)).toEqual(['handshake']);
    expect(pair.child.exitCode).toBeNull();
  }, 90_000);
});
