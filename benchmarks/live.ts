// Live-capture benchmark, bounded in packets and time, loopback veth only:
//  1. drop rate against offered rate: tcpreplay onto one end of a veth pair at stepped rates,
//     `porthole sensor` and `tcpdump -w /dev/null` (same filter) capturing on the other end;
//  2. latency from a SYN+ACK on the wire to its Observation read back from Kafka (p50/p99).
// Needs root, a running local Kafka (deploy/local.sh up kafka) and benchmarks/data/replay-5m.pcap.
// Usage: node dist/benchmarks/live.js [RATES]   e.g. 50000,100000,200000,400000,max

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildFilter } from '../sensor/capture/bpf-filter.js';
import { eth, pcapFile } from '../test/support/frames.js';
import { conversation, ipOf } from '../test/support/scenarios.js';
import { deleteTopics, randomTopic, readTopicMeta } from '../test/support/kafka.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const data = `${root}benchmarks/data`;
const big = `${data}/replay-5m.pcap`;
const slice = `${data}/live-300k.pcap`;
const A = 'phbenchA';
const B = 'phbenchB';
const FILTER = buildFilter({ acks: true, encapsulations: ['vlan', 'vxlan', 'geneve', 'gre', 'ipip'] });
const rates = (process.argv[2] ?? '50000,100000,200000,300000,max').split(',');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sh = (c: string[]): string => execFileSync(c[0], c.slice(1), { encoding: 'utf8' });

function count(file: string): number {
  return Number(/Number of packets:\s+(\d+)/.exec(sh(['capinfos', '-c', '-M', file]))![1]);
}

function startSensor(
  topic: string,
  status: string,
  window = '5s',
): { proc: ChildProcess; last: () => Record<string, number> | null } {
  const proc = spawn(
    process.execPath,
    [`${root}bin/porthole.js`, 'sensor', '--iface', B, '--status-interval', '1s', '--window', window],
    {
      env: { ...process.env, PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: topic, PORTHOLE_KAFKA_STATUS_TOPIC: status },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let last: Record<string, number> | null = null;
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      try {
        const j = JSON.parse(l);
        if (j.status) last = j.status;
      } catch {
        /* not JSON */
      }
    }
  });
  return { proc, last: () => last };
}

async function stop(p: ChildProcess, sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill(sig);
  await Promise.race([done, sleep(20_000)]);
  if (p.exitCode === null) p.kill('SIGKILL');
}

async function dropRates(): Promise<string[]> {
  if (!existsSync(slice)) sh(['editcap', '-r', big, slice, '1-300000']);
  const filtered = `${data}/live-300k.filtered.pcap`;
  sh(['tcpdump', '-r', slice, '-w', filtered, FILTER]);
  const offered = count(slice);
  const matching = count(filtered);
  const rows = [
    `Offered ${offered.toLocaleString('en-US')} packets per step, ${matching.toLocaleString('en-US')} of them pass the kernel filter.`,
    '',
    '| rate asked | rate reached (tcpreplay) | porthole captured | porthole drop | tcpdump captured | tcpdump drop |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const rate of rates) {
    const topic = randomTopic('bench-obs');
    const status = randomTopic('bench-status');
    const sensor = startSensor(topic, status);
    const td = spawn('tcpdump', ['-i', B, '-w', '/dev/null', '-B', String(256 * 1024), FILTER], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tdErr = '';
    td.stderr!.on('data', (d: Buffer) => (tdErr += d.toString()));
    await sleep(3000);
    const r = spawnSync('tcpreplay', ['-i', A, rate === 'max' ? '--topspeed' : `--pps=${rate}`, slice], {
      encoding: 'utf8',
    });
    const reached = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(r.stdout)?.[1] ?? '?';
    await sleep(3000);
    const captured = sensor.last()?.packets ?? 0;
    await stop(td, 'SIGINT');
    const tdCaptured = Number(/(\d+) packets? captured/.exec(tdErr)?.[1] ?? 0);
    await stop(sensor.proc);
    await deleteTopics([topic, status]);
    const pct = (n: number): string => `${(100 * (1 - n / matching)).toFixed(3)}%`;
    rows.push(
      `| ${rate} | ${Math.round(Number(reached)).toLocaleString('en-US')} | ${captured.toLocaleString('en-US')} | ${pct(captured)} | ${tdCaptured.toLocaleString('en-US')} | ${pct(tdCaptured)} |`,
    );
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  return rows;
}

async function latency(): Promise<string[]> {
  // 200 handshakes to 200 different ports, 50 ms apart
  const recs = [];
  for (let i = 0; i < 200; i++) {
    for (const s of conversation('198.51.100.9', '192.0.2.77', 40000 + i, 20000 + i, i * 50, 'open').slice(0, 3)) {
      const p = ipOf(s);
      recs.push({ ts: 1_767_225_600_000 + s.ts, data: eth(0x0800, p) });
    }
  }
  const file = `${data}/latency-200.pcap`;
  writeFileSync(file, pcapFile(recs, { linktype: 1 }));
  const out: string[] = ['| window | observations | p50 (ms) | p99 (ms) | max (ms) |', '|---:|---:|---:|---:|---:|'];
  for (const window of ['1s', '5s']) {
    const topic = randomTopic('bench-lat');
    const status = randomTopic('bench-lat-status');
    const sensor = startSensor(topic, status, window);
    await sleep(3000);
    // latency = the message's Kafka timestamp (set when the sensor hands it to Kafka, same host
    // clock) minus first_seen (when the sensor captured the SYN+ACK)
    const recv = new Map<number, number>();
    spawnSync('tcpreplay', ['-i', A, file], { encoding: 'utf8' });
    await readTopicMeta(
      topic,
      (m) => {
        for (const { value, timestamp } of m) {
          const o = value as { port: number; first_seen: number };
          if (!recv.has(o.port)) recv.set(o.port, timestamp - o.first_seen);
        }
        return recv.size >= 200;
      },
      60_000,
    );
    await stop(sensor.proc);
    await deleteTopics([topic, status]);
    const lat = [...recv.values()].sort((a, b) => a - b);
    const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    out.push(`| ${window} | ${lat.length} | ${q(0.5)} | ${q(0.99)} | ${lat[lat.length - 1]} |`);
    process.stderr.write(`${out[out.length - 1]}\n`);
  }
  return out;
}

async function main(): Promise<void> {
  mkdirSync(data, { recursive: true });
  try {
    sh(['ip', 'link', 'del', A]);
  } catch {
    /* not there */
  }
  sh(['ip', 'link', 'add', A, 'type', 'veth', 'peer', 'name', B]);
  try {
    sh(['sysctl', '-q', '-w', `net.ipv6.conf.${A}.disable_ipv6=1`]);
    sh(['ip', 'link', 'set', A, 'up']);
    // the capture end as docs/operations.md tells operators to prepare a mirror port (offloads
    // off: with TSO/GSO on, libpcap sizes every ring slot for a 64 KiB frame, so 256 MiB holds
    // only ~4,000 frames and a short stall of the sensor drops packets)
    sh([process.execPath, `${root}bin/porthole.js`, 'prepare-mirror', B]);
    const drops = await dropRates();
    const lat = await latency();
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
    process.stdout.write(`${machine}\n\n${drops.join('\n')}\n\n${lat.join('\n')}\n`);
  } finally {
    try {
      sh(['ip', 'link', 'del', A]);
    } catch {
      /* gone */
    }
  }
}

void main();
