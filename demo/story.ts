// The demo's network and what happens on it, as the mirror port sees it. Five servers on
// 10.77.0.0/24 serve their usual ports to workstations (10.77.1.0/24) and, for the public
// ones, to clients on the internet (documentation addresses). The history: ten minutes of that,
// during which the printer stops serving telnet (its SYNs refused from then on). The live part,
// minutes later: the build box starts serving port 8000 and a client on the internet reaches
// it (then a workstation too), and a workstation sweeps the file server's ports 1-1024 (its open ports answer, the rest
// refuse: nothing new). Deterministic for a given start time: the same story every run.

import { FLAGS, type Segment } from './pcap-writer.js';

export const NET = '10.77.0.0/16';
export const NEW_SERVICE = { ip: '10.77.0.20', port: 8000, name: 'the build box' } as const;
export const CLOSED_SERVICE = { ip: '10.77.0.30', port: 23, name: 'the printer' } as const;
export const SCANNER = '10.77.1.250';
export const SCANNED = '10.77.0.12';
export const INTERNET_CLIENT = '203.0.113.77';
/** the verifier's own address in the demo's scan namespace */
export const VERIFIER_ADDRESS = '10.77.0.250';
const SWEEP_PORTS = 1024;

interface Service {
  ip: string;
  port: number;
  /** clients from the internet as well as workstations */
  public: boolean;
}

const SERVICES: Service[] = [
  { ip: '10.77.0.10', port: 80, public: true },
  { ip: '10.77.0.10', port: 443, public: true },
  { ip: '10.77.0.11', port: 25, public: true },
  { ip: '10.77.0.11', port: 993, public: false },
  { ip: SCANNED, port: 22, public: false },
  { ip: SCANNED, port: 445, public: false },
  { ip: SCANNED, port: 5432, public: false },
  { ip: NEW_SERVICE.ip, port: 22, public: false },
  { ip: NEW_SERVICE.ip, port: 8080, public: false },
  { ip: CLOSED_SERVICE.ip, port: CLOSED_SERVICE.port, public: false },
  { ip: CLOSED_SERVICE.ip, port: 631, public: false },
];

/** The services the history shows, the one that closes among them. */
export const BASELINE = { services: SERVICES.length, hosts: new Set(SERVICES.map((s) => s.ip)).size };

/** A small deterministic generator (the same story for the same start). */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

type Kind = 'open' | 'refused' | 'scan-open';

/** One connection attempt from client `c` to `s`:`port` at `t` ms. */
function attempt(rand: (n: number) => number, c: string, s: string, port: number, t: number, kind: Kind): Segment[] {
  const cport = 32768 + rand(28000);
  const ci = rand(0x7fffffff);
  const si = rand(0x7fffffff);
  const rtt = 0.3 + rand(40) / 10;
  const seg = (
    fromClient: boolean,
    dt: number,
    seq: number,
    ack: number,
    flags: number,
    extra: Partial<Segment> = {},
  ) => ({
    ts: t + dt,
    src: fromClient ? c : s,
    dst: fromClient ? s : c,
    sport: fromClient ? cport : port,
    dport: fromClient ? port : cport,
    seq,
    ack,
    flags,
    ttl: fromClient ? 61 : 64,
    ...extra,
  });
  const syn = seg(true, 0, ci, 0, FLAGS.SYN, { mss: 1460 });
  if (kind === 'refused') return [syn, seg(false, rtt, 0, ci + 1, FLAGS.RST | FLAGS.ACK)];
  const synAck = seg(false, rtt, si, ci + 1, FLAGS.SYN | FLAGS.ACK, { mss: 1460 });
  if (kind === 'scan-open') return [syn, synAck, seg(true, 2 * rtt, ci + 1, 0, FLAGS.RST)];
  const ask = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n');
  return [
    syn,
    synAck,
    seg(true, 2 * rtt, ci + 1, si + 1, FLAGS.ACK),
    seg(true, 2 * rtt + 0.1, ci + 1, si + 1, FLAGS.PSH | FLAGS.ACK, { payload: ask }),
    seg(false, 3 * rtt, si + 1, ci + 1 + ask.length, FLAGS.PSH | FLAGS.ACK, { payload: new Uint8Array(200) }),
    seg(true, 4 * rtt, ci + 1 + ask.length, si + 201, FLAGS.FIN | FLAGS.ACK),
  ];
}

function workstation(rand: (n: number) => number): string {
  return `10.77.1.${10 + rand(40)}`;
}

function internet(rand: (n: number) => number): string {
  return rand(2) ? `198.51.100.${1 + rand(250)}` : `203.0.113.${1 + rand(70)}`;
}

/** Everyday traffic to every service in [t0, t1): each about every `everyMs`. */
function everyday(rand: (n: number) => number, t0: number, t1: number, everyMs: number, closedAt: number): Segment[] {
  const out: Segment[] = [];
  for (const s of SERVICES) {
    for (let t = t0 + rand(everyMs); t < t1 - 2000; t += everyMs / 2 + rand(everyMs)) {
      const client = s.public && rand(2) ? internet(rand) : workstation(rand);
      const closed = s.ip === CLOSED_SERVICE.ip && s.port === CLOSED_SERVICE.port && t >= closedAt;
      out.push(...attempt(rand, client, s.ip, s.port, t, closed ? 'refused' : 'open'));
    }
  }
  return out;
}

const byTime = (a: Segment, b: Segment): number => a.ts - b.ts;

/** The history: [t0, t1) of everyday traffic; the printer's telnet closes at `closedAt`. */
export function history(t0: number, t1: number, closedAt: number): Segment[] {
  return everyday(rng(t0), t0, t1, 20_000, closedAt).sort(byTime);
}

/** The live part, [t0, t1): everyday traffic, the new service and its clients, the sweep. */
export function live(t0: number, t1: number): Segment[] {
  const rand = rng(t0 + 1);
  const out = everyday(rand, t0, t1, 4000, t0);
  const span = t1 - t0;
  // a client on the internet reaches the new server at once (twice), then the developer tries it
  const opened = t0 + span * 0.2;
  for (const dt of [0, 150])
    out.push(...attempt(rand, INTERNET_CLIENT, NEW_SERVICE.ip, NEW_SERVICE.port, opened + dt, 'open'));
  out.push(...attempt(rand, '10.77.1.23', NEW_SERVICE.ip, NEW_SERVICE.port, opened + 300, 'open'));
  // the sweep: a SYN to each port 2 ms apart; the file server's open ports answer
  const open = new Set(SERVICES.filter((s) => s.ip === SCANNED).map((s) => s.port));
  const sweepAt = t0 + span * 0.4;
  for (let p = 1; p <= SWEEP_PORTS; p++)
    out.push(...attempt(rand, SCANNER, SCANNED, p, sweepAt + 2 * p, open.has(p) ? 'scan-open' : 'refused'));
  return out.sort(byTime);
}

export const SWEEP = { ports: SWEEP_PORTS };
