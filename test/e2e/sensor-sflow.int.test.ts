// End to end over real UDP: the test samples the frames of a real-traffic capture into sFlow v5
// datagrams as a switch would (a sampling rate, flow and expanded flow samples, raw Ethernet
// headers, counter samples between), sends them over loopback to a real
// `porthole sensor --sflow 127.0.0.1:PORT` publishing to the shared Kafka, and finds in Kafka
// exactly the endpoints tshark finds SYN+ACKs of inside the samples, with evidence "sampled",
// the sampling rate, and the rates summed as handshakes. Malformed datagrams (cut short, another
// version, bad sample and record lengths) are counted by reason in the health messages, and the
// sensor keeps running and stops cleanly.

import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../sensor/capture/file-source.js';
import { type Bytes, be32, pcapFile } from '../support/frames.js';
import { BROKERS, deleteTopics, randomTopic, readTopic } from '../support/kafka.js';
import { type PortholeProc, startSensor } from '../support/porthole-process.js';
import { counterSample, flowSample, rawHeader, sflowDatagram, sflowFrame } from '../support/sflow.js';
import { tsharkSampledEndpoints } from '../support/tshark.js';

const RATE = 400;
const obsTopic = randomTopic('obs');
const statusTopic = randomTopic('status');
const dir = mkdtempSync(join(tmpdir(), 'porthole-sflow-e2e-'));
let sensor: PortholeProc | null = null;

afterAll(async () => {
  await sensor?.stop();
  await deleteTopics([obsTopic, statusTopic]);
  rmSync(dir, { recursive: true, force: true });
});

/** `b` with the 32-bit word at byte `at` replaced. */
function patch(b: Bytes, at: number, value: number): Bytes {
  const out = Uint8Array.from(b);
  out.set(be32(value), at);
  return out;
}

async function datagrams(): Promise<{ good: Bytes[]; samples: number; counters: number }> {
  const frames: Bytes[] = [];
  await readCaptureFile(new URL('../golden/netns-tshark.pcapng', import.meta.url).pathname, (b, off, caplen) => {
    frames.push(b.slice(off, off + caplen));
  });
  const good: Bytes[] = [];
  let samples = 0;
  let counters = 0;
  for (let i = 0; i < frames.length; i += 5) {
    const group = frames.slice(i, i + 5);
    const s = group.map((f, k) =>
      flowSample({ rate: RATE, seq: i + k + 1, expanded: k % 2 === 1, records: [rawHeader(f)] }),
    );
    samples += s.length;
    s.splice(2, 0, counterSample(), counterSample({ expanded: true }));
    counters += 2;
    good.push(sflowDatagram({ agent: '192.0.2.250', seq: good.length + 1, samples: s }));
  }
  return { good, samples, counters };
}

describe('porthole sensor --sflow', () => {
  it('publishes the endpoints of sampled SYN+ACKs as "sampled", and counts malformed datagrams by reason', async () => {
    const { good, samples, counters } = await datagrams();
    // what tshark finds in the same datagrams
    const oracle = join(dir, 'sent.pcap');
    writeFileSync(
      oracle,
      pcapFile(
        good.map((d, i) => ({ ts: 1_767_225_600_000 + i, data: sflowFrame(d) })),
        { linktype: 1 },
      ),
    );
    const want = tsharkSampledEndpoints(oracle);
    expect(want.size).toBeGreaterThan(0);
    const one = good[0];
    const bad = [
      one.subarray(0, 20), // cut inside the datagram header: truncated_sflow
      patch(one, 0, 4), // version 4: bad_sflow_version
      patch(one, 32, one.length), // the first sample's length runs past the datagram: bad_sflow_record
      patch(one, 36 + 32 + 4, 4096), // its first record's length runs past the sample: bad_sflow_record
    ];

    sensor = startSensor(
      ['--sflow', '127.0.0.1:0', '--window', '1s', '--status-interval', '1s', '--sensor-id', 'sflow-e2e'],
      {
        PORTHOLE_KAFKA_BROKERS: BROKERS.join(','),
        PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: obsTopic,
        PORTHOLE_KAFKA_STATUS_TOPIC: statusTopic,
        PORTHOLE_METRICS_LISTEN: 'off',
      },
    );
    const listening = await sensor.waitFor((l) => l.msg === 'receiving sflow', 15_000);
    expect(listening.address).toBe('127.0.0.1');
    const port = listening.port as number;
    await sensor.waitFor((l) => l.msg === 'dropped privileges', 15_000);
    // the topics exist once the producer is connected
    await sensor.waitFor(
      (l) => (l.status as { kafka_connected?: boolean } | undefined)?.kafka_connected === true,
      30_000,
    );

    const sock = createSocket('udp4');
    const send = (b: Bytes): Promise<void> =>
      new Promise((resolve, reject) => sock.send(b, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    try {
      for (const d of [...bad.slice(0, 2), ...good, ...bad.slice(2)]) await send(d);
    } finally {
      sock.close();
    }

    const key = (m: { ip: string; port: number }): string => `${m.ip}|${m.port}`;
    type Obs = {
      ip: string;
      port: number;
      evidence: string;
      sampling_rate: number;
      handshakes: number;
      sensor: string;
    };
    const msgs = (await readTopic(obsTopic, (m) => new Set((m as Obs[]).map(key)).size >= want.size, 30_000)) as Obs[];
    expect([...new Set(msgs.map(key))].sort()).toEqual([...want.keys()].sort());
    const sums = new Map<string, number>();
    for (const m of msgs) {
      expect(m).toMatchObject({ evidence: 'sampled', sampling_rate: RATE, sensor: 'sflow-e2e' });
      sums.set(key(m), (sums.get(key(m)) ?? 0) + m.handshakes);
    }
    for (const [k, e] of want) expect(sums.get(k), k).toBe(e.handshakes);

    type St = { packets: number; failures: Record<string, number>; sflow: Record<string, number> };
    const all = good.length + bad.length;
    const done = (s: St): boolean => s.packets === all;
    const statuses = (await readTopic(statusTopic, (m) => (m as St[]).some(done), 20_000)) as St[];
    const st = statuses.find(done);
    expect(st, JSON.stringify(statuses[statuses.length - 1])).toBeDefined();
    expect(st!.failures).toEqual({
      sflow: good.length,
      truncated_sflow: 1,
      bad_sflow_version: 1,
      bad_sflow_record: 2,
    });
    expect(st!.sflow).toMatchObject({ datagrams: all, samples, counter_samples: counters });
    expect(st!.sflow.synacks).toBeGreaterThanOrEqual(want.size);
    expect(sensor.child.exitCode).toBe(null);
    expect(await sensor.stop()).toBe(0);
    sensor = null;
  });
});
