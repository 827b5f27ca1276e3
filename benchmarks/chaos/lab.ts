// The soak's network: test/support/netns.ts's mirror lab, plus what the soak does to it: the
// capture interface deleted and re-created (with the tc mirror re-pointed at the new one), real
// servers in the server namespace for the verifier, and a client that connects to them from a
// second address (the first, 192.0.2.2, is the scanner's, whose probes never make services) and
// logs each attempt's time. Every process is bounded by the run's deadline.

import { type ChildProcess, execFileSync } from 'node:child_process';
import { createMirrorLab, type MirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../../test/support/netns.js';
import { BIN } from '../../test/support/porthole.js';

export const REAL_CLIENT = '192.0.2.3';
export const SCANNER = '192.0.2.2';

/** Connects to SERVER:port for each port every `every` s until `secs` pass; one JSON line per attempt. */
const CLIENT = `
import json, socket, sys, time
host, src, every, until = sys.argv[1], sys.argv[2], float(sys.argv[3]), time.time() + float(sys.argv[4])
ports = [int(p) for p in sys.argv[5:]]
while time.time() < until:
    for p in ports:
        s = socket.socket(); s.settimeout(2); s.bind((src, 0)); t = time.time(); ok = True
        try: s.connect((host, p)); s.recv(16)
        except OSError: ok = False
        s.close()
        print(json.dumps({"t": int(t * 1000), "port": p, "ok": ok}), flush=True)
    time.sleep(every)
`;

export interface Attempt {
  t: number;
  port: number;
  ok: boolean;
}

export interface ChaosLab {
  lab: MirrorLab;
  monitor: string;
  /** the client namespace's end of the mirrored link: the traffic is replayed onto it */
  clientIface: string;
  /** ip link del of the capture interface (the mirror's copies go nowhere meanwhile) */
  deleteMonitor(): void;
  createMonitor(): void;
  serve(ports: number[]): ChildProcess;
  /** real connections, `every` seconds, for `secs`; attempts are appended as they happen */
  connect(ports: number[], every: number, secs: number, attempts: Attempt[]): ChildProcess;
  cleanup(): void;
}

function sh(cmd: string[]): string {
  return execFileSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function createChaosLab(): ChaosLab {
  const lab = createMirrorLab();
  // names as netns.ts makes them
  const vs = `ph${lab.tag}s`;
  const vc = `ph${lab.tag}c`;
  const m0 = `ph${lab.tag}m0`;
  const mirror = (op: 'add' | 'del'): void => {
    for (const dir of ['ingress', 'egress']) {
      const rule = op === 'del' ? [] : ['protocol', 'all', 'u32', 'match', 'u32', '0', '0'];
      const act = op === 'del' ? [] : ['action', 'mirred', 'egress', 'mirror', 'dev', m0];
      lab.run(lab.srv, ['tc', 'filter', op, 'dev', vs, dir, ...rule, ...act]);
    }
  };
  const prepare = (): void => {
    sh([process.execPath, BIN, 'prepare-mirror', lab.monitor]);
  };
  try {
    lab.run(lab.cli, ['ip', 'addr', 'add', `${REAL_CLIENT}/24`, 'dev', vc]);
    prepare();
  } catch (err) {
    lab.cleanup();
    throw err;
  }
  return {
    lab,
    monitor: lab.monitor,
    clientIface: vc,
    deleteMonitor() {
      sh(['ip', 'link', 'del', lab.monitor]);
    },
    createMonitor() {
      sh(['ip', 'link', 'add', m0, 'netns', lab.srv, 'type', 'veth', 'peer', 'name', lab.monitor]);
      lab.run(lab.srv, ['sysctl', '-q', '-w', `net.ipv6.conf.${m0}.disable_ipv6=1`]);
      lab.run(lab.srv, ['ip', 'link', 'set', m0, 'up']);
      prepare();
      // the mirred action lost its device with the old interface: the filters are made again
      mirror('del');
      mirror('add');
    },
    serve(ports) {
      return lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, ...ports.map(String)]);
    },
    connect(ports, every, secs, attempts) {
      const p = lab.spawnIn(lab.cli, [
        'python3',
        '-c',
        CLIENT,
        SERVER_V4,
        REAL_CLIENT,
        String(every),
        String(secs),
        ...ports.map(String),
      ]);
      let buf = '';
      p.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) if (l) attempts.push(JSON.parse(l) as Attempt);
      });
      return p;
    },
    cleanup: () => lab.cleanup(),
  };
}
