// sFlow ingest benchmark, bounded in rate steps and time, loopback only: one
// `porthole sensor --sflow 127.0.0.1:0` (publishing to the local Kafka), and this process sending
// it sFlow v5 datagrams at increasing rates (each datagram as switches send them: flow samples
// of 128-byte Ethernet headers, a counter sample every other datagram), each rate for a few
// seconds. What the sensor took is read from its health messages (`sflow.datagrams`,
// `sflow.samples`); what the kernel dropped for a full receive buffer from /proc/net/snmp (all
// UDP sockets of the host: on a busy host it includes others' drops).
// Needs a running local Kafka (deploy/local.sh up kafka).
// Usage: node dist/benchmarks/sflow.js [RATES] [SECONDS] [SAMPLES]   e.g. 1000,5000,20000,max 5 7

import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Bytes, eth, etherTypeOf } from '../test/support/frames.js';
import { deleteTopics, randomTopic } from '../test/support/kafka.js';
import { conversation, ipOf } from '../test/support/scenarios.js';
import { counterSample, flowSample, rawHeader, sflowDatagram } from '../test/support/sflow.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rates = (process.argv[2] ?? '1000,5000,10000,20000,40000,max').split(',');
const seconds = Number(process.argv[3] ?? 5);
const perDatagram = Number(process.argv[4] ?? 7);
const RATE = 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Counts {
  datagrams: number;
  samples: number;
  synacks: number;
}

/** A pool of datagrams sampling many connections (a sixth of the samples are SYN+ACKs). */
function pool(n: number): Bytes[] {
  const frames: Bytes[] = [];
  for (let i = 0; frames.length < n * perDatagram; i++) {
    const c = `198.51.${100 + (i % 4)}.${1 + ((i >> 2) % 250)}`;
    const s = `192.0.2.${1 + (i % 200)}`;
    for (const g of conversation(c, s, 30000 + (i % 30000), [22, 80, 443, 8080][i % 4], i, 'open')) {
      const p = ipOf(g);
      frames.push(eth(etherTypeOf(p), p));
    }
  }
  const out: Bytes[] = [];
  for (let d = 0; d < n; d++) {
    const samples = frames
      .slice(d * perDatagram, (d + 1) * perDatagram)
      .map((f, k) => flowSample({ rate: RATE, seq: d * perDatagram + k + 1, records: [rawHeader(f)] }));
    if (d % 2 === 0) samples.push(counterSample());
    out.push(sflowDatagram({ seq: d + 1, samples }));
  }
  return out;
}

/** UDP receive-buffer drops of the whole host so far (/proc/net/snmp, Udp: RcvbufErrors). */
function rcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

function startSensor(topic: string, status: string): { proc: ChildProcess; port: Promise<number>; last: () => Counts } {
  const proc = spawn(
    process.execPath,
    [`${root}bin/porthole.js`, 'sensor', '--sflow', '127.0.0.1:0', '--status-interval', '1s', '--window', '5s'],
    {
      env: {
        ...process.env,
        PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: topic,
        PORTHOLE_KAFKA_STATUS_TOPIC: status,
        PORTHOLE_METRICS_LISTEN: 'off',
        PORTHOLE_LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let last: Counts = { datagrams: 0, samples: 0, synacks: 0 };
  let buf = '';
  let gotPort: (p: number) => void;
  const port = new Promise<number>((r) => {
    gotPort = r;
  });
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      try {
        const j = JSON.parse(l);
        if (j.msg === 'receiving sflow') gotPort(j.port);
        if (j.status?.sflow) last = j.status.sflow;
      } catch {
        /* not JSON */
      }
    }
  });
  return { proc, port, last: () => last };
}

/** Send datagrams from `dgrams` in turn at `rate` per second (or as fast as possible) for `ms`. */
async function send(port: number, dgrams: Bytes[], rate: number | null, ms: number): Promise<number> {
  const sock = createSocket('udp4');
  let sent = 0;
  let inFlight = 0;
  const t0 = performance.now();
  try {
    for (;;) {
      const elapsed = performance.now() - t0;
      if (elapsed >= ms) break;
      const due = rate === null ? sent + 64 : Math.floor((rate * elapsed) / 1000);
      while (sent < due && inFlight < 1024) {
        inFlight++;
        sock.send(dgrams[sent % dgrams.length], port, '127.0.0.1', () => {
          inFlight--;
        });
        sent++;
      }
      await new Promise((r) => setImmediate(r));
    }
    while (inFlight > 0) await new Promise((r) => setImmediate(r));
  } finally {
    sock.close();
  }
  return sent;
}

async function main(): Promise<void> {
  const dgrams = pool(4096);
  const topic = randomTopic('bench-sflow');
  const status = randomTopic('bench-sflow-status');
  const sensor = startSensor(topic, status);
  const rows = [
    `${perDatagram} flow samples per datagram (${dgrams[0].length} bytes), a counter sample in every other one; ${seconds} s per rate.`,
    '',
    '| rate asked (datagrams/s) | sent/s | taken: datagrams/s | taken: samples/s | lost | kernel receive-buffer drops |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  try {
    const port = await Promise.race([
      sensor.port,
      sleep(30_000).then(() => {
        throw new Error('the sensor did not start');
      }),
    ]);
    await sleep(3000); // Kafka connected, privileges dropped
    for (const r of rates) {
      const before = sensor.last();
      const drops0 = rcvbufErrors();
      const t0 = performance.now();
      const sent = await send(port, dgrams, r === 'max' ? null : Number(r), seconds * 1000);
      const secs = (performance.now() - t0) / 1000;
      await sleep(2500); // two status messages after the last datagram
      const after = sensor.last();
      const took = after.datagrams - before.datagrams;
      const samples = after.samples - before.samples;
      const n = (x: number): string => Math.round(x).toLocaleString('en-US');
      rows.push(
        `| ${r} | ${n(sent / secs)} | ${n(took / secs)} | ${n(samples / secs)} | ${((100 * (sent - took)) / sent).toFixed(2)}% | ${n(rcvbufErrors() - drops0)} |`,
      );
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
  } finally {
    if (sensor.proc.exitCode === null) {
      const done = new Promise((r) => sensor.proc.once('exit', r));
      sensor.proc.kill('SIGTERM');
      await Promise.race([done, sleep(30_000)]);
      if (sensor.proc.exitCode === null) sensor.proc.kill('SIGKILL');
    }
    await deleteTopics([topic, status]);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  process.stdout.write(`${machine}\n\n${rows.join('\n')}\n`);
}

void main();
