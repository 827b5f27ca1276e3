// Replay throughput benchmark: `porthole replay` against peers on the same capture in the same
// run: tcpdump (the equivalent SYN filter, -w /dev/null), prads -r, and tshark on a slice.
// Each tool runs 3 times; the best wall time and its peak RSS are reported.
// Usage: npm run bench   (generates benchmarks/data/replay-5m.pcap on first use)

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const data = `${root}benchmarks/data`;
const file = `${data}/replay-5m.pcap`;
const slice = `${data}/replay-slice-500k.pcap`;
const RUNS = 3;

// tcpdump's filter for "TCP with SYN set" over IPv4, IPv6 (no extension headers) and one VLAN tag
export const SYN_FILTER =
  '(tcp[13] & 2 != 0) or (ip6[6] == 6 and ip6[53] & 2 != 0) or (vlan and ((tcp[13] & 2 != 0) or (ip6[6] == 6 and ip6[53] & 2 != 0)))';

interface Result { tool: string; packets: number; seconds: number; maxRssMb: number; pps: number }

function timed(cmd: string, args: string[]): { seconds: number; maxRssMb: number } {
  let best = { seconds: Infinity, maxRssMb: 0 };
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, cwd: root });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
    const [secs, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    if (secs < best.seconds) best = { seconds: secs, maxRssMb: kb / 1024 };
  }
  return best;
}

function count(f: string): number {
  const out = execFileSync('capinfos', ['-c', '-M', f], { encoding: 'utf8' });
  return Number(/Number of packets:\s+(\d+)/.exec(out)![1]);
}

mkdirSync(data, { recursive: true });
if (!existsSync(file)) execFileSync(process.execPath, [`${root}dist/benchmarks/generate.js`, file], { stdio: 'inherit' });
if (!existsSync(slice)) execFileSync('editcap', ['-r', file, slice, '1-500000']);
const n = count(file);
const ns = count(slice);

const results: Result[] = [];
const add = (tool: string, packets: number, t: { seconds: number; maxRssMb: number }): void => {
  results.push({ tool, packets, ...t, pps: packets / t.seconds });
  process.stderr.write(`${tool}: ${(packets / t.seconds / 1e6).toFixed(2)}M packets/s, ${t.maxRssMb.toFixed(0)} MB\n`);
};
add('porthole replay', n, timed(process.execPath, [`${root}bin/porthole.js`, 'replay', '--no-progress', '--json', file]));
add('tcpdump -r -w /dev/null (SYN filter)', n, timed('tcpdump', ['-r', file, '-w', '/dev/null', SYN_FILTER]));
add('prads -r', n, timed('prads', ['-r', file, '-l', '/dev/null', '-q']));
add('tshark -r (500k slice, SYN+ACK fields)', ns, timed('tshark', ['-r', slice, '-Y', 'tcp.flags.syn==1 && tcp.flags.ack==1', '-T', 'fields', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport']));

const p = results[0].pps;
const lines = [
  `| tool | packets | best of ${RUNS} (s) | packets/s | peak RSS (MB) | porthole ÷ tool |`,
  '|---|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.tool} | ${r.packets.toLocaleString('en-US')} | ${r.seconds.toFixed(2)} | ${(r.pps / 1e6).toFixed(2)}M | ${r.maxRssMb.toFixed(0)} | ${(p / r.pps).toFixed(2)} |`),
];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const out = { date: new Date().toISOString(), machine, file, results };
mkdirSync(`${root}benchmarks/results`, { recursive: true });
writeFileSync(`${root}benchmarks/results/replay.json`, JSON.stringify(out, null, 2) + '\n');
process.stdout.write(`${machine}\n\n${lines.join('\n')}\n`);
