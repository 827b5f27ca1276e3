// Replay throughput benchmark: `porthole replay` against peers on the same capture in the same
// run: tcpdump (the equivalent SYN filter, -w /dev/null), prads -r, and tshark on a slice.
// Porthole and tcpdump run 5 times each, alternately (this VM's speed drifts between minutes, and
// alternating keeps a slow phase from favouring one); prads and tshark 3 times. The best wall
// time of each and its peak RSS are reported. When NODE_EXTRA_CA_CERTS is set (this sandbox sets
// it to the system bundle), Porthole also runs without it, in the same alternation: Node parses
// those certificates when it starts, before any of Porthole's code (`node -e 0`: 0.05 s with the
// bundle's 144 certificates, 0.02 s without), and replay never opens TLS. Both rows are reported.
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

interface Result {
  tool: string;
  packets: number;
  seconds: number;
  maxRssMb: number;
  pps: number;
}

interface Timing {
  seconds: number;
  maxRssMb: number;
}

type Command = [string, string[], NodeJS.ProcessEnv?];

function once([cmd, args, env]: Command): Timing {
  // every tool's standard output goes to /dev/null, as tcpdump's -w does: a pipe read by this
  // process would charge Porthole for a reader sharing its cores (see README.md)
  const out = openSync('/dev/null', 'w');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', out, 'pipe'],
    cwd: root,
    env: env ?? process.env,
  });
  closeSync(out);
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  const [seconds, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, maxRssMb: kb / 1024 };
}

/** Best of `runs` for each command, the commands run in turn. */
function timed(cmds: Command[], runs: number): Timing[] {
  const best = cmds.map(() => ({ seconds: Infinity, maxRssMb: 0 }));
  for (let i = 0; i < runs; i++) {
    cmds.forEach((c, k) => {
      const t = once(c);
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
if (!existsSync(file))
  execFileSync(process.execPath, [`${root}dist/benchmarks/generate.js`, file], { stdio: 'inherit' });
if (!existsSync(slice)) execFileSync('editcap', ['-r', file, slice, '1-500000']);
const n = count(file);
const ns = count(slice);

const results: Result[] = [];
const add = (tool: string, packets: number, t: Timing): void => {
  results.push({ tool, packets, ...t, pps: packets / t.seconds });
  process.stderr.write(`${tool}: ${(packets / t.seconds / 1e6).toFixed(2)}M packets/s, ${t.maxRssMb.toFixed(0)} MB\n`);
};
const replay: Command = [process.execPath, [`${root}bin/porthole.js`, 'replay', '--no-progress', '--json', file]];
const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
const { NODE_EXTRA_CA_CERTS: _, ...withoutCerts } = process.env;
const paired: Command[] = [replay, ['tcpdump', ['-r', file, '-w', '/dev/null', SYN_FILTER]]];
if (extraCerts) paired.push([replay[0], replay[1], withoutCerts]);
const [porthole, tcpdump, portholeNoCerts] = timed(paired, PAIRED_RUNS);
add('porthole replay', n, porthole);
add('tcpdump -r -w /dev/null (SYN filter)', n, tcpdump);
if (portholeNoCerts) add('porthole replay, NODE_EXTRA_CA_CERTS unset', n, portholeNoCerts);
add('prads -r', n, timed([['prads', ['-r', file, '-l', '/dev/null', '-q']]], RUNS)[0]);
add(
  'tshark -r (500k slice, SYN+ACK fields)',
  ns,
  timed(
    [
      [
        'tshark',
        [
          '-r',
          slice,
          '-Y',
          'tcp.flags.syn==1 && tcp.flags.ack==1',
          '-T',
          'fields',
          '-e',
          'ip.src',
          '-e',
          'ipv6.src',
          '-e',
          'tcp.srcport',
        ],
      ],
    ],
    RUNS,
  )[0],
);

const p = results[0].pps;
const lines = [
  `| tool | packets | best (s; of ${PAIRED_RUNS} for Porthole and tcpdump, ${RUNS} for prads and tshark) | packets/s | peak RSS (MB) | porthole ÷ tool |`,
  '|---|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.tool} | ${r.packets.toLocaleString('en-US')} | ${r.seconds.toFixed(2)} | ${(r.pps / 1e6).toFixed(2)}M | ${r.maxRssMb.toFixed(0)} | ${(p / r.pps).toFixed(2)} |`,
  ),
];
const certs = extraCerts ? `NODE_EXTRA_CA_CERTS=${extraCerts}` : 'NODE_EXTRA_CA_CERTS unset';
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${certs}`;
const out = { date: new Date().toISOString(), machine, file, results };
mkdirSync(`${root}benchmarks/results`, { recursive: true });
writeFileSync(`${root}benchmarks/results/replay.json`, `${JSON.stringify(out, null, 2)}\n`);
const vsTcpdump = (r: Timing): string => (tcpdump.seconds / r.seconds).toFixed(2);
const bar = portholeNoCerts
  ? `Porthole ÷ tcpdump: ${vsTcpdump(porthole)} as run, ${vsTcpdump(portholeNoCerts)} with NODE_EXTRA_CA_CERTS unset`
  : `Porthole ÷ tcpdump: ${vsTcpdump(porthole)}`;
process.stdout.write(`${machine}\n\n${lines.join('\n')}\n\n${bar}\n`);
