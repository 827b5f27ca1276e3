// Runs `porthole sensor` / `porthole analyzer` as real child processes and follows their JSON log lines.

import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from './porthole.js';

export interface PortholeProc {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startSensor(args: string[], env: Record<string, string>): PortholeProc {
  return startPorthole(['sensor', ...args], env);
}

/**
 * As startSensor, as the user nobody holding only CAP_NET_RAW and CAP_NET_ADMIN, as
 * deploy/systemd runs it: a sensor that never was root, so it can reopen a lost interface.
 */
export function startSensorWithCaps(args: string[], env: Record<string, string>): PortholeProc {
  return startPorthole(['sensor', ...args], env, BIN, WITH_CAPTURE_CAPS);
}

/** A command prefix (setpriv, it execs node) for the user nobody with only the capture capabilities. */
const CAPS = '+net_raw,+net_admin';
export const WITH_CAPTURE_CAPS = [
  ...['setpriv', '--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups'],
  ...['--inh-caps', CAPS, '--ambient-caps', CAPS],
];

/**
 * `bin`: another build's bin/porthole.js (the upgrade test runs the previous release);
 * `prefix`: a command that runs node (setpriv); `stdin`: 'pipe' to feed it (`--pcap -`).
 */
export function startPorthole(
  args: string[],
  env: Record<string, string>,
  bin = BIN,
  prefix: string[] = [],
  stdin: 'ignore' | 'pipe' = 'ignore',
): PortholeProc {
  const cmd = [...prefix, process.execPath, bin, ...args];
  const child = spawn(cmd[0], cmd.slice(1), {
    env: { ...process.env, ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        logs.push(JSON.parse(line));
      } catch {
        stderr.push(line);
      }
      for (const w of waiters) w();
    }
  });
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    logs,
    stderr,
    waitFor(pred, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = logs.find(pred);
          if (hit) resolve(hit);
          return !!hit;
        };
        if (check()) return;
        const t = setTimeout(
          () =>
            reject(
              new Error(
                `log line not seen in ${timeoutMs} ms; stderr: ${stderr.join('').slice(-2000)}; last logs: ${JSON.stringify(logs.slice(-5))}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push(() => {
          if (check()) clearTimeout(t);
        });
        void exited.then((code) => {
          if (!check()) {
            clearTimeout(t);
            reject(
              new Error(
                `porthole exited (${code}): ${stderr.join('').slice(-2000)} logs: ${JSON.stringify(logs.slice(-4))}`,
              ),
            );
          }
        });
      });
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
