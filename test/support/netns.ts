// A mirror-port lab in network namespaces, for tests that need real traffic: a server and a
// client namespace joined by a veth pair (documentation addresses 192.0.2.0/24 and
// 2001:db8:5::/64 only), and a `tc` mirror (clsact ingress+egress, u32 match-all, mirred egress
// mirror) of the server's link onto a monitor veth whose other end is in the root namespace,
// where the sensor captures. With `tap`, each direction goes to its own monitor veth instead, as
// a TAP's two ports do (client -> server on the first, server -> client on the second). A
// monitor can be deleted and re-created while the lab runs. Everything is named with a random
// tag and removed by cleanup().

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const SERVER_V4 = '192.0.2.1';
export const CLIENT_V4 = '192.0.2.2';
export const SERVER_V6 = '2001:db8:5::1';
export const CLIENT_V6 = '2001:db8:5::2';

export interface MirrorLab {
  tag: string;
  srv: string; // namespace names
  cli: string;
  monitor: string; // root-namespace interface the sensor captures on (the first of monitors)
  monitors: string[]; // one, or with `tap` the client->server port and the server->client port
  run(ns: string, cmd: string[], opts?: { timeout?: number }): string;
  /** Delete monitor `i` (both ends of its veth), as when a mirror port's interface disappears. */
  dropMonitor(i?: number): void;
  /** Create monitor `i` again, up, with the mirror onto it restored. */
  restoreMonitor(i?: number): void;
  spawnIn(ns: string, cmd: string[]): ChildProcess;
  cleanup(): void;
}

function sh(cmd: string[], timeout = 15_000): string {
  return execFileSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function createMirrorLab(opts: { tap?: boolean } = {}): MirrorLab {
  const tag = randomBytes(3).toString('hex');
  const srv = `ph-${tag}-srv`;
  const cli = `ph-${tag}-cli`;
  const vs = `ph${tag}s`;
  const vc = `ph${tag}c`;
  const names = opts.tap ? ['a', 'b'] : ['m'];
  const inner = names.map((n) => `ph${tag}${n}0`); // the ends in the server namespace
  const monitors = names.map((n) => `ph${tag}${n}1`);
  // which monitor each direction of the server's link is copied to
  const target = { ingress: 0, egress: opts.tap ? 1 : 0 };
  const children: ChildProcess[] = [];
  const addMonitor = (i: number): void => {
    sh(['ip', 'link', 'add', inner[i], 'netns', srv, 'type', 'veth', 'peer', 'name', monitors[i]]);
    lab.run(srv, ['ip', 'link', 'set', inner[i], 'up']);
    sh(['sysctl', '-q', '-w', `net.ipv6.conf.${monitors[i]}.disable_ipv6=1`]);
    sh(['ip', 'link', 'set', monitors[i], 'up']);
    lab.run(srv, ['sysctl', '-q', '-w', `net.ipv6.conf.${inner[i]}.disable_ipv6=1`]);
  };
  // a mirred action loses its device when that is deleted: the mirror is set up anew each time
  const mirror = (): void => {
    try {
      lab.run(srv, ['tc', 'qdisc', 'del', 'dev', vs, 'clsact']);
    } catch {
      /* none yet */
    }
    lab.run(srv, ['tc', 'qdisc', 'add', 'dev', vs, 'clsact']);
    for (const dir of ['ingress', 'egress'] as const) {
      const dev = inner[target[dir]];
      lab.run(srv, [...'tc filter add dev'.split(' '), vs, dir, ...MATCH_ALL, 'dev', dev]);
    }
  };
  const lab: MirrorLab = {
    tag,
    srv,
    cli,
    monitor: monitors[0],
    monitors,
    run: (ns, cmd, opts) => sh(['ip', 'netns', 'exec', ns, ...cmd], opts?.timeout),
    dropMonitor(i = 0) {
      sh(['ip', 'link', 'del', monitors[i]]);
    },
    restoreMonitor(i = 0) {
      addMonitor(i);
      mirror();
    },
    spawnIn(ns, cmd) {
      const c = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(c);
      return c;
    },
    cleanup() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      for (const ns of [srv, cli]) {
        try {
          sh(['ip', 'netns', 'pids', ns])
            .split('\n')
            .filter(Boolean)
            .forEach((pid) => {
              try {
                process.kill(Number(pid), 'SIGKILL');
              } catch {
                /* gone */
              }
            });
        } catch {
          /* no namespace */
        }
        try {
          sh(['ip', 'netns', 'del', ns]);
        } catch {
          /* already gone */
        }
      }
      for (const m of monitors) {
        try {
          sh(['ip', 'link', 'del', m]);
        } catch {
          /* went with the namespace */
        }
      }
    },
  };
  try {
    sh(['ip', 'netns', 'add', srv]);
    sh(['ip', 'netns', 'add', cli]);
    sh(['ip', 'link', 'add', vs, 'netns', srv, 'type', 'veth', 'peer', 'name', vc, 'netns', cli]);
    for (const [ns, dev, v4, v6] of [
      [srv, vs, SERVER_V4, SERVER_V6],
      [cli, vc, CLIENT_V4, CLIENT_V6],
    ]) {
      lab.run(ns, ['ip', 'link', 'set', 'lo', 'up']);
      lab.run(ns, ['ip', 'addr', 'add', `${v4}/24`, 'dev', dev]);
      lab.run(ns, ['ip', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad']);
      lab.run(ns, ['ip', 'link', 'set', dev, 'up']);
    }
    for (let i = 0; i < monitors.length; i++) addMonitor(i);
    // the SPAN: the server's link copied onto the monitor veth(s)
    mirror();
  } catch (err) {
    lab.cleanup();
    throw err;
  }
  return lab;
}

/** tc filter arguments copying every packet (u32 match-all, mirred mirror) onto a device named after. */
export const MATCH_ALL = ['protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'mirror'];

/** A TCP server on each port (IPv4 and IPv6), answering with one line, run with python3. */
export const MULTI_PORT_SERVER = `
import socket, sys, threading
def serve(port):
    s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); s.bind(("::", port)); s.listen(64)
    while True:
        c, _ = s.accept()
        try: c.sendall(b"hello\\n")
        except OSError: pass
        c.close()
for p in sys.argv[1:]: threading.Thread(target=serve, args=(int(p),), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
`;

/** Client: connect to host:port for each, read a little, close; refused connections are fine. */
export const CONNECT_CLIENT = `
import socket, sys
host = sys.argv[1]
for p in sys.argv[2:]:
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET); s.settimeout(2)
    try:
        s.connect((host, int(p))); s.recv(16)
    except OSError: pass
    s.close()
`;
