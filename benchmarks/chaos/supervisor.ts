// The soak's process supervisor: starts `porthole sensor|analyzer|verifier` as children, waits for
// each one's ready line, kills them on request (recording the signal), restarts any that exits
// by itself (recording the exit, its stderr and the outage), and keeps per incarnation what the
// check needs: the last sensor status, warnings and errors by message, stderr lines that name an
// unhandled rejection or a native abort. Bounded: at most a few hundred lines kept per process.

import { type ChildProcess, spawn } from 'node:child_process';
import { sleep } from '../../common/time.js';
import { BIN } from '../../test/support/porthole.js';

export type Role = 'sensor' | 'analyzer' | 'verifier';

const READY: Record<Role, string> = {
  sensor: 'capturing',
  analyzer: 'joined consumer group',
  verifier: 'verifier running',
};
const CRASH = /unhandled|uncaught|assertion|abort|fatal error|segmentation|core dumped|heap out of memory/i;

export interface Incarnation {
  role: Role;
  pid: number;
  started: number;
  ready: number | null;
  ended: number | null;
  /** the signal the soak sent, or null when it exited by itself */
  killedWith: NodeJS.Signals | null;
  exit: { code: number | null; signal: string | null } | null;
  lastStatus: Record<string, unknown> | null;
  stopped: Record<string, unknown> | null;
  problems: Record<string, number>;
  crashLines: string[];
  stderrTail: string;
}

export interface Supervisor {
  incarnations: Incarnation[];
  current(role: Role): Incarnation | null;
  start(role: Role): Promise<Incarnation>;
  kill(role: Role, signal: NodeJS.Signals): Promise<Incarnation | null>;
  stopAll(): Promise<void>;
}

export function createSupervisor(args: Record<Role, string[]>, env: Record<Role, Record<string, string>>): Supervisor {
  const incarnations: Incarnation[] = [];
  const live = new Map<Role, { inc: Incarnation; child: ChildProcess; exited: Promise<void> }>();
  let closing = false;

  const spawnOne = (role: Role): Promise<Incarnation> => {
    const child = spawn(process.execPath, [BIN, role, ...args[role]], {
      env: { ...process.env, ...env[role] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const inc: Incarnation = {
      role,
      pid: child.pid ?? -1,
      started: Date.now(),
      ready: null,
      ended: null,
      killedWith: null,
      exit: null,
      lastStatus: null,
      stopped: null,
      problems: {},
      crashLines: [],
      stderrTail: '',
    };
    incarnations.push(inc);
    let onReady: (() => void) | null = null;
    const readyP = new Promise<void>((r) => (onReady = r));
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        let l: Record<string, unknown>;
        try {
          l = JSON.parse(line);
        } catch {
          if (CRASH.test(line) && inc.crashLines.length < 50) inc.crashLines.push(line);
          continue;
        }
        if (l.msg === READY[role] && inc.ready === null) {
          inc.ready = Date.now();
          onReady?.();
        }
        if (l.status) inc.lastStatus = l.status as Record<string, unknown>;
        if (l.msg === 'sensor stopped') inc.stopped = l;
        if (typeof l.level === 'number' && l.level >= 40) {
          const k = `${l.level >= 60 ? 'fatal' : l.level >= 50 ? 'error' : 'warn'}: ${String(l.msg)}`;
          inc.problems[k] = (inc.problems[k] ?? 0) + 1;
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      const s = d.toString();
      inc.stderrTail = (inc.stderrTail + s).slice(-4000);
      for (const line of s.split('\n')) if (CRASH.test(line) && inc.crashLines.length < 50) inc.crashLines.push(line);
    });
    const exited = new Promise<void>((resolve) =>
      child.on('exit', (code, signal) => {
        inc.ended = Date.now();
        inc.exit = { code, signal };
        onReady?.();
        resolve();
        if (live.get(role)?.inc === inc) live.delete(role);
        // an exit nobody asked for is recorded and the process started again (the outage counts);
        // one before the ready line is retried by start()
        if (inc.killedWith === null && inc.ready !== null && !closing)
          void sleep(1000).then(() => {
            if (!closing && !live.has(role)) void start(role);
          });
      }),
    );
    live.set(role, { inc, child, exited });
    return readyP.then(() => inc);
  };

  const start = async (role: Role): Promise<Incarnation> => {
    for (;;) {
      const inc = await spawnOne(role);
      if (inc.ready !== null || closing) return inc;
      await sleep(1000); // exited before it was ready: try again
    }
  };

  const kill = async (role: Role, signal: NodeJS.Signals): Promise<Incarnation | null> => {
    const l = live.get(role);
    if (!l) return null;
    l.inc.killedWith = signal;
    l.child.kill(signal);
    const t = setTimeout(() => l.child.kill('SIGKILL'), 60_000);
    await l.exited;
    clearTimeout(t);
    return l.inc;
  };

  return {
    incarnations,
    current: (role) => live.get(role)?.inc ?? null,
    start,
    kill,
    async stopAll() {
      closing = true;
      for (const role of ['sensor', 'verifier', 'analyzer'] as const) await kill(role, 'SIGTERM');
    },
  };
}
