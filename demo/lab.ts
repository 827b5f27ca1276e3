// The only hosts the demo's nmap may reach: two network namespaces made for one demo run and
// joined by a veth pair, nothing else in them. The host namespace holds the build box's address
// (the story's new service) with an HTTP server on the new port; the scan namespace holds the
// verifier's address, and nmap runs inside it (verify.nmapCommand), so no probe can leave for
// a real network. Needs root (ip netns); where that is refused the demo runs without
// verification and says why. close() kills what runs inside and deletes both namespaces.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { NEW_SERVICE, VERIFIER_ADDRESS } from './story.js';

export interface Lab {
  hostNs: string;
  scanNs: string;
  /** verify.nmapCommand: nmap inside the scan namespace */
  nmapCommand: string[];
  close(): void;
}

/** What the new service answers: an HTTP server, as a developer's test server would be. */
const SERVER = `
const http = require('node:http');
http.createServer((q, s) => { s.setHeader('content-type', 'text/plain'); s.end('build artifacts\\n'); })
  .listen(${NEW_SERVICE.port}, '${NEW_SERVICE.ip}', () => console.log('ready'));
`;

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/** Why the lab cannot be made here (not root, no nmap), or null. */
export function labRefusal(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the demo as root to see nmap verify)';
  if (spawnSync('nmap', ['--version']).status !== 0) return 'nmap is not installed (deploy/install.sh installs it)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the ip command (iproute2) is not installed';
  return null;
}

/** Make the lab for run `tag` (hex); throws with the failing command's message. */
export async function makeLab(tag: string): Promise<Lab> {
  const hostNs = `porthole-demo-${tag}-host`;
  const scanNs = `porthole-demo-${tag}-scan`;
  let server: ChildProcess | null = null;
  const lab: Lab = {
    hostNs,
    scanNs,
    nmapCommand: ['ip', 'netns', 'exec', scanNs, 'nmap'],
    close() {
      if (server?.pid && server.exitCode === null) {
        try {
          process.kill(-server.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      for (const ns of [hostNs, scanNs]) {
        const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
        for (const pid of pids.split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        spawnSync('ip', ['netns', 'del', ns]);
      }
    },
  };
  try {
    ip(['netns', 'add', hostNs]);
    ip(['netns', 'add', scanNs]);
    const vh = `phd${tag}h`;
    const vs = `phd${tag}s`;
    ip(['link', 'add', vh, 'netns', hostNs, 'type', 'veth', 'peer', 'name', vs, 'netns', scanNs]);
    for (const [ns, dev, addr] of [
      [hostNs, vh, NEW_SERVICE.ip],
      [scanNs, vs, VERIFIER_ADDRESS],
    ]) {
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      ip(['-n', ns, 'link', 'set', dev, 'up']);
    }
    const s = spawn('ip', ['netns', 'exec', hostNs, process.execPath, '-e', SERVER], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own group: a Ctrl-C is the demo's to handle, and close() ends it
    });
    server = s;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the demo server did not start in 10 s')), 10_000);
      s.stdout!.once('data', () => {
        clearTimeout(t);
        resolve();
      });
      s.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`the demo server exited (${code})`));
      });
    });
  } catch (err) {
    lab.close();
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(e.stderr?.toString().trim() || e.message);
  }
  return lab;
}
