// A sweep lab in network namespaces, for the sweeper's tests and benchmark: a router namespace
// with a bridge, one namespace per host (a veth onto the bridge, a TCP server on the host's known
// ports), a scanner namespace and a client namespace each on their own routed link. The client's
// link is mirrored (tc mirred) onto a monitor veth in the root namespace, where a sensor captures
// what clients say to the hosts. Some hosts are slow (their replies wait in a tbf at a low rate,
// so round trips grow with the probes outstanding) and some lossy (nftables drops a random share
// of the scanner's packets to them); this kernel has no netem. One more host, `outside`, is reachable
// but never in `allowed`. Addresses come from the benchmark range 198.18.0.0/15 only; everything is
// named by a random tag and removed by cleanup(), which also runs when setup fails. The allowed
// network's addresses without a host are refused by the router at once.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MATCH_ALL, MULTI_PORT_SERVER } from './netns.js';

export type HostKind = 'fast' | 'slow' | 'lossy';

export interface LabHost {
  ip: string;
  ns: string;
  kind: HostKind;
  ports: number[]; // open to the scanner, the lab's truth
  filtered: number[]; // open to clients, the scanner's packets to them dropped
}

export interface SweepLab {
  tag: string;
  router: string; // namespace names
  scanner: string;
  client: string;
  monitor: string; // root-namespace interface the sensor captures on
  scannerIp: string;
  clientIp: string;
  hosts: LabHost[]; // in scope
  outside: LabHost; // reachable, never in `allowed`
  allowed: string; // the in-scope hosts' network
  /** nmap in the scanner namespace, as verify.nmapCommand takes it. */
  nmapCommand: string;
  /** Every open port in scope, as "ip:port". */
  truth(): Set<string>;
  run(ns: string, cmd: string[], timeoutMs?: number): string;
  spawnIn(ns: string, cmd: string[]): ChildProcess;
  /** Shape the scanner's link (both directions) with tbf at `rate` (tc units), or remove it (null). */
  shapeScanner(rate: string | null): void;
  cleanup(): void;
}

export interface SweepLabOptions {
  hosts?: number; // in scope, at most 60
  slow?: number; // of them: hosts 5, 15, 25...
  lossy?: number; // of them: hosts 8, 18, 28...
  lossPercent?: number; // of the scanner's packets dropped at a lossy host
  slowRate?: string; // tbf rate of a slow host's link
}

/** The ports the lab's servers may open; each host opens a mix of them. */
export const LAB_PORTS = [22, 80, 443, 2222, 3306, 5432, 6379, 8080, 8443, 9200];

const SUBNET = '198.18.1';
const ROUTER_HOST_IP = `${SUBNET}.254`;
/** Open on hosts 3, 13, 23..., dropped when the scanner sends to it. */
export const FILTERED_PORT = 7001;

function sh(cmd: string[], timeout = 15_000): string {
  return execFileSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Host i's open ports: a deterministic mix of one to four of LAB_PORTS. */
export function labPorts(i: number): number[] {
  const n = 1 + (i % 4);
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(LAB_PORTS[(i * 3 + k * 7) % LAB_PORTS.length]);
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Kill every process left in a namespace, then delete it; quiet when it is gone. */
export function removeNamespace(ns: string): void {
  try {
    for (const pid of sh(['ip', 'netns', 'pids', ns]).split('\n').filter(Boolean))
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
  } catch {
    /* no namespace */
  }
  try {
    sh(['ip', 'netns', 'del', ns]);
  } catch {
    /* already gone */
  }
}

export async function createSweepLab(opts: SweepLabOptions = {}): Promise<SweepLab> {
  const count = opts.hosts ?? 30;
  const slow = opts.slow ?? 3;
  const lossy = opts.lossy ?? 3;
  // the allowed network: the smallest holding .1 to .count; `outside` is the first address past it
  const prefix = count <= 30 ? 27 : 26;
  const size = 2 ** (32 - prefix);
  if (count > 60 || slow * 10 > count + 5 || lossy * 10 > count + 2)
    throw new Error('sweep lab: at most 60 hosts, a slow and a lossy one in each ten');
  const tag = randomBytes(3).toString('hex');
  const router = `ph-${tag}-r`;
  const scanner = `ph-${tag}-s`;
  const client = `ph-${tag}-c`;
  const monitor = `ph${tag}m1`;
  const namespaces = [router, scanner, client];
  const children: ChildProcess[] = [];
  // slow and lossy hosts spread over the range (every tenth from the fifth, and from the eighth)
  const kindOf = (i: number): HostKind =>
    i % 10 === 5 && Math.floor(i / 10) < slow ? 'slow' : i % 10 === 8 && Math.floor(i / 10) < lossy ? 'lossy' : 'fast';
  const hosts: LabHost[] = Array.from({ length: count }, (_, k) => ({
    ip: `${SUBNET}.${k + 1}`,
    ns: `ph-${tag}-h${k + 1}`,
    kind: kindOf(k + 1),
    ports: labPorts(k + 1),
    filtered: (k + 1) % 10 === 3 ? [FILTERED_PORT] : [],
  }));
  const outside: LabHost = {
    ip: `${SUBNET}.${size}`,
    ns: `ph-${tag}-h0`,
    kind: 'fast',
    ports: [22, 8080],
    filtered: [],
  };
  const ipn = (ns: string, args: string[]): string => sh(['ip', '-n', ns, ...args]);
  const lab: SweepLab = {
    tag,
    router,
    scanner,
    client,
    monitor,
    scannerIp: '198.18.0.2',
    clientIp: '198.18.2.2',
    hosts,
    outside,
    allowed: `${SUBNET}.0/${prefix}`,
    nmapCommand: `ip,netns,exec,${scanner},nmap`,
    truth: () => new Set(hosts.flatMap((h) => h.ports.map((p) => `${h.ip}:${p}`))),
    run: (ns, cmd, timeoutMs) => sh(['ip', 'netns', 'exec', ns, ...cmd], timeoutMs),
    spawnIn(ns, cmd) {
      const c = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(c);
      return c;
    },
    shapeScanner(rate) {
      for (const [ns, dev] of [
        [scanner, `ph${tag}sa`],
        [router, `ph${tag}sb`],
      ]) {
        try {
          sh(['tc', '-n', ns, 'qdisc', 'del', 'dev', dev, 'root']);
        } catch {
          /* none yet */
        }
        if (rate) sh(['tc', '-n', ns, 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', rate, ...TBF_QUEUE]);
      }
    },
    cleanup() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      for (const ns of [...namespaces, ...hosts.map((h) => h.ns), outside.ns]) removeNamespace(ns);
      try {
        sh(['ip', 'link', 'del', monitor]);
      } catch {
        /* went with the router namespace */
      }
    },
  };
  try {
    for (const ns of namespaces) {
      sh(['ip', 'netns', 'add', ns]);
      ipn(ns, ['link', 'set', 'lo', 'up']);
    }
    lab.run(router, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    ipn(router, ['link', 'add', `ph${tag}br`, 'type', 'bridge']);
    ipn(router, ['addr', 'add', `${ROUTER_HOST_IP}/24`, 'dev', `ph${tag}br`]);
    ipn(router, ['link', 'set', `ph${tag}br`, 'up']);
    // the scanner's and the client's routed links
    for (const [ns, v, net] of [
      [scanner, 's', '198.18.0'],
      [client, 'c', '198.18.2'],
    ]) {
      const [inner, outer] = [`ph${tag}${v}a`, `ph${tag}${v}b`];
      ipn(router, ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', ns]);
      ipn(router, ['addr', 'add', `${net}.1/24`, 'dev', outer]);
      ipn(router, ['link', 'set', outer, 'up']);
      ipn(ns, ['addr', 'add', `${net}.2/24`, 'dev', inner]);
      ipn(ns, ['link', 'set', inner, 'up']);
      ipn(ns, ['route', 'add', 'default', 'via', `${net}.1`]);
    }
    // the client's link copied onto the monitor (the SPAN)
    ipn(router, ['link', 'add', `ph${tag}m0`, 'type', 'veth', 'peer', 'name', monitor, 'netns', '1']);
    ipn(router, ['link', 'set', `ph${tag}m0`, 'up']);
    sh(['sysctl', '-q', '-w', `net.ipv6.conf.${monitor}.disable_ipv6=1`]);
    sh(['ip', 'link', 'set', monitor, 'up']);
    sh(['tc', '-n', router, 'qdisc', 'add', 'dev', `ph${tag}cb`, 'clsact']);
    for (const dir of ['ingress', 'egress'])
      sh(['tc', '-n', router, 'filter', 'add', 'dev', `ph${tag}cb`, dir, ...MATCH_ALL, 'dev', `ph${tag}m0`]);
    for (const [i, h] of [...hosts, outside].entries()) addHost(lab, h, i);
    // the allowed network's other addresses refused by the router at once (ICMP unreachable), as
    // a router that knows its hosts does: without it each costs a scanner its discovery timeouts
    for (let a = 0; a < size; a++)
      if (a === 0 || a > count) ipn(router, ['route', 'add', 'prohibit', `${SUBNET}.${a}/32`]);
    // a host's server prints "ready" once it listens on all its ports
    await Promise.all(
      [...hosts, outside].map((h) => {
        const c = lab.spawnIn(h.ns, ['python3', '-c', MULTI_PORT_SERVER, ...[...h.ports, ...h.filtered].map(String)]);
        return new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`sweep lab: ${h.ip} server not ready`)), 15_000);
          c.stdout!.on('data', (d: Buffer) => {
            if (d.toString().includes('ready')) {
              clearTimeout(t);
              resolve();
            }
          });
          c.on('exit', () => reject(new Error(`sweep lab: ${h.ip} server exited`)));
        });
      }),
    );
    for (const h of hosts) {
      if (h.filtered.length)
        nft(h, 'filtered', `ip saddr ${lab.scannerIp} tcp dport { ${h.filtered.join(', ')} } drop`);
      if (h.kind === 'slow') slowDown(lab, h, opts.slowRate ?? '64kbit');
      if (h.kind === 'lossy') makeLossy(lab, h, opts.lossPercent ?? 20);
    }
  } catch (err) {
    lab.cleanup();
    throw err;
  }
  return lab;
}

/** The queue of a tbf: packets wait up to this long before they are dropped. */
const TBF_QUEUE = ['burst', '4kb', 'latency', '400ms'];

/** A host's namespace, its veth onto the bridge (the router's end named by index `i`). */
function addHost(lab: SweepLab, h: LabHost, i: number): void {
  const [inner, outer] = [`ph${lab.tag}h${i}a`, `ph${lab.tag}h${i}b`];
  sh(['ip', 'netns', 'add', h.ns]);
  const ipn = (ns: string, args: string[]): string => sh(['ip', '-n', ns, ...args]);
  ipn(h.ns, ['link', 'set', 'lo', 'up']);
  ipn(lab.router, ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', h.ns]);
  ipn(lab.router, ['link', 'set', outer, 'master', `ph${lab.tag}br`, 'up']);
  ipn(h.ns, ['addr', 'add', `${h.ip}/24`, 'dev', inner]);
  ipn(h.ns, ['link', 'set', inner, 'up']);
  ipn(h.ns, ['route', 'add', 'default', 'via', ROUTER_HOST_IP]);
}

/** The host's replies through a slow tbf with a queue long enough to drop nothing: they wait,
 *  and the scanner's round trips to the host grow with the probes it has outstanding. The link's
 *  MTU is made small so that the bucket can be too (a tbf's burst holds at least one packet):
 *  a burst of replies is not let through at once. */
function slowDown(lab: SweepLab, h: LabHost, rate: string): void {
  const dev = `ph${lab.tag}h${lab.hosts.indexOf(h)}a`;
  sh(['ip', '-n', h.ns, 'link', 'set', dev, 'mtu', '120']);
  sh(['tc', '-n', h.ns, 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', rate, 'burst', '200', 'limit', '1mb']);
}

/** nftables in the host drops a random share of what the scanner sends it. */
function makeLossy(lab: SweepLab, h: LabHost, percent: number): void {
  nft(h, 'lossy', `ip saddr ${lab.scannerIp} numgen random mod 100 < ${percent} drop`);
}

/** One rule on the host's input, in a table of its own. */
function nft(h: LabHost, table: string, rule: string): void {
  const rules = `table inet ${table} {\n  chain in { type filter hook input priority 0; policy accept;\n    ${rule}\n  }\n}\n`;
  execFileSync('ip', ['netns', 'exec', h.ns, 'nft', '-f', '-'], { input: rules, timeout: 15_000 });
}
