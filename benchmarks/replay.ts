// Replay throughput benchmark: `porthole replay` against peers on the same capture in the same
// run: tcpdump (the equivalent SYN filter, -w /dev/null), prads -r, and tshark on a slice.
// Porthole and tcpdump run 5 times each, alternately (this VM's speed drifts between minutes, and
// alternating keeps a slow phase from favouring one); prads and tshark 3 times. The best wall
// time of each and its peak RSS are reported.
// Usage: npm run bench   (generates benchmarks/data/replay-5m.pcap on first use)

import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const data = `${root}benchmarks/data`;
const file = `${data}/replay-5m.pcap`;
const slice = `${data}/replay-slice-500k.pcap`;
const RUNS = 3;
const PAIRED_RUNS = 5;

// tcpdump's filter for "TCP with SYN set" over IPv4, IPv6 (no extension headers) and one VLAN tag
export const SYN_FILTER =
  '(tcp[13] & 2 != 0) or (ip6[6] == 6 and ip6[53] & 2 != 0) or (vlan and ((tcp[13] & 2 != 0) or (ip6[6] == 6 and ip6[53] & 2 != 0)))';

interface Result { tool: string; packets: number; seconds: number; maxRssMb: number; pps: number }

interface Timing { seconds: number; maxRssMb: number }

function once(cmd: string, args: string[]): Timing {
  // every tool's standard output goes to /dev/null, as tcpdump's -w does: into a pipe read by
  // this process, Porthole's 4 MB of JSON cost ~20 ms more (a reader sharing the 2 cores)
  const out = openSync('/dev/null', 'w');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', stdio: ['ignore', out, 'pipe'], cwd: root });
  closeSync(out);
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  const [seconds, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, maxRssMb: kb / 1024 };
}

/** Best of `runs` for each command, the commands run in turn. */
function timed(cmds: Array<[string, string[]]>, runs: number): Timing[] {
  const best = cmds.map(() => ({ seconds: Infinity, maxRssMb: 0 }));
  for (let i = 0; i < runs; i++) {
    cmds.forEach(([cmd, args], k) => {
      const t = once(cmd, args);
      if (t.seconds < best[k].seconds) best[k] = t;
    });
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
const add = (tool: string, packets: number, t: Timing): void => {
  results.push({ tool, packets, ...t, pps: packets / t.seconds });
  process.stderr.write(`${tool}: ${(packets / t.seconds / 1e6).toFixed(2)}M packets/s, ${t.maxRssMb.toFixed(0)} MB\n`);
};
const [porthole, tcpdump] = timed([
  [process.execPath, [`${root}bin/porthole.js`, 'replay', '--no-progress', '--json', file]],
  ['tcpdump', ['-r', file, '-w', '/dev/null', SYN_FILTER]],
], PAIRED_RUNS);
add('porthole replay', n, porthole);
add('tcpdump -r -w /dev/null (SYN filter)', n, tcpdump);
add('prads -r', n, timed([['prads', ['-r', file, '-l', '/dev/null', '-q']]], RUNS)[0]);
add('tshark -r (500k slice, SYN+ACK fields)', ns, timed([['tshark', ['-r', slice, '-Y', 'tcp.flags.syn==1 && tcp.flags.ack==1', '-T', 'fields', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport']]], RUNS)[0]);

const p = results[0].pps;
const lines = [
  `| tool | packets | best (s; of ${PAIRED_RUNS} for the first two, ${RUNS} after) | packets/s | peak RSS (MB) | porthole ÷ tool |`,
  '|---|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.tool} | ${r.packets.toLocaleString('en-US')} | ${r.seconds.toFixed(2)} | ${(r.pps / 1e6).toFixed(2)}M | ${r.maxRssMb.toFixed(0)} | ${(p / r.pps).toFixed(2)} |`),
];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const out = { date: new Date().toISOString(), machine, file, results };
mkdirSync(`${root}benchmarks/results`, { recursive: true });
writeFileSync(`${root}benchmarks/results/replay.json`, JSON.stringify(out, null, 2) + '\n');
process.stdout.write(`${machine}\n\n${lines.join('\n')}\n`);
