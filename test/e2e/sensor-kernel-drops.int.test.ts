// Kernel drops counted from pcap_stats: a sensor with the smallest capture buffer is stopped
// (SIGSTOP) while a few hundred connections cross the mirror, so the kernel's ring overflows;
// once it runs again its status messages count the drops (kernel_drops > 0), and once the ring
// is read out every frame that passed the filter was either handed over or dropped.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, deleteTopics, randomTopic } from '../support/kafka.js';
import { createMirrorLab, type MirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../support/netns.js';
import { type PortholeProc, startSensor } from '../support/porthole-process.js';

const CONNECTIONS = 300;
/** Connects to host:port `n` times, one after the other. */
const SERIAL_CLIENT = `
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
for _ in range(int(sys.argv[3])):
    s = socket.socket(); s.settimeout(2)
    try: s.connect((host, port)); s.recv(16)
    except OSError: pass
    s.close()
`;

type Status = Record<string, unknown>;
const status = (l: Record<string, unknown>): Status | undefined =>
  l.msg === 'sensor status' ? (l.status as Status) : undefined;

let lab: MirrorLab;
let sensor: PortholeProc | null = null;
const topics = [randomTopic('obs'), randomTopic('status')];

beforeAll(async () => {
  lab = createMirrorLab();
  const server = lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, '7201']);
  await new Promise<void>((r) => server.stdout!.once('data', () => r()));
});

afterAll(async () => {
  if (sensor?.child.exitCode === null) sensor.child.kill('SIGCONT');
  await sensor?.stop();
  lab?.cleanup();
  await deleteTopics(topics);
});

describe('kernel drops', () => {
  it('are counted in the status messages when the capture buffer overflows', async () => {
    sensor = startSensor(['--iface', lab.monitor, '--buffer-mb', '1', '--status-interval', '1s'], {
      PORTHOLE_KAFKA_BROKERS: BROKERS.join(','),
      PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: topics[0],
      PORTHOLE_KAFKA_STATUS_TOPIC: topics[1],
    });
    const first = status(await sensor.waitFor((l) => status(l) !== undefined, 30_000))!;
    expect(first.kernel_drops).toBe(0);
    expect(first.iface_drops).toBe(0);

    sensor.child.kill('SIGSTOP');
    try {
      // each connection's SYN, SYN+ACK and ACKs pass the filter: far more than a 1 MiB ring holds
      lab.run(lab.cli, ['python3', '-c', SERIAL_CLIENT, SERVER_V4, '7201', String(CONNECTIONS)], { timeout: 30_000 });
    } finally {
      sensor.child.kill('SIGCONT');
    }
    const seen = sensor.logs.length;
    const later = (pred: (s: Status) => boolean) => (l: Record<string, unknown>) =>
      sensor!.logs.indexOf(l) >= seen && status(l) !== undefined && pred(status(l)!);
    const dropped = status(
      await sensor.waitFor(
        later((s) => (s.kernel_drops as number) > 0),
        10_000,
      ),
    )!;
    expect(dropped.capture_state).toBe('capturing');
    // once the ring is read out (what it held handed over: more packets), the handed-over and
    // the dropped add up to at least the SYN, SYN+ACK and final ACK of each connection
    const counted = (s: Status): number => (s.packets as number) + (s.kernel_drops as number);
    const readOut = (s: Status): boolean => (s.packets as number) > (first.packets as number);
    const after = status(
      await sensor.waitFor(
        later((s) => readOut(s) && counted(s) >= 3 * CONNECTIONS),
        10_000,
      ),
    )!;
    expect(after.kernel_drops as number).toBeGreaterThanOrEqual(dropped.kernel_drops as number);
    expect(await sensor.stop()).toBe(0);
  }, 90_000);
});
