// Runs child processes and keeps them running: a child that exits is started again after a
// backoff (doubling up to a cap, back to the first wait once a run lasted long enough), every
// restart counted; a child that exits 2 (its configuration or credentials refused: restarting
// cannot mend it) is not restarted and reported as fatal; a one-shot child (a capture file read)
// that exits 0 is done. stop() ends the children one after the other in the order given, each
// with SIGTERM and, past its stop timeout, SIGKILL. Children run in their own process group, so
// a terminal's Ctrl-C reaches the supervisor only and the order holds.
// Limit: a supervisor killed with SIGKILL leaves its children running (as the other way round,
// systemd's control group catches them under a unit).

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Backoff } from '../common/retry.js';

export interface ChildSpec {
  /** the part's name: sensor, analyzer… */
  name: string;
  /** the command and its arguments */
  command: string[];
  /** variables added to the supervisor's environment */
  env?: Record<string, string>;
  /** exit 0 ends it for good (a capture file read); any other exit is restarted */
  oneShot?: boolean;
  /** after SIGTERM, wait this long for the exit before SIGKILL */
  stopTimeoutMs: number;
}

export type ChildStateName = 'running' | 'backoff' | 'done' | 'failed' | 'stopping' | 'stopped';

export interface ChildState {
  name: string;
  state: ChildStateName;
  pid: number | null;
  restarts: number;
  /** when the current (or last) run started, ms */
  startedAt: number | null;
  lastExit: { code: number | null; signal: string | null; at: number } | null;
  lastError: string | null;
}

export interface SupervisorHooks {
  /** a line a child wrote (without its newline) */
  line(name: string, stream: 'stdout' | 'stderr', text: string): void;
  /** a child's state changed */
  changed(): void;
  /** something the supervisor itself has to say */
  event(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown>): void;
  /** a child exited 2: not restarted */
  fatal(name: string): void;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** a run that lasted this long resets the backoff */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

interface Entry {
  spec: ChildSpec;
  st: ChildState;
  child: ChildProcess | null;
  exited: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  backoff: Backoff;
  /** the last error line of the current run */
  runError: string | null;
}

export interface Supervisor {
  /** start a child (a name already running is refused) */
  start(spec: ChildSpec): void;
  states(): ChildState[];
  /** a line to show as the child's last error in the status */
  noteError(name: string, text: string): void;
  /** wait until a one-shot child is done (or failed, stopped) */
  settled(name: string): Promise<ChildState>;
  /** stop the children in this order (those not named last), each awaited */
  stop(order: string[]): Promise<void>;
}

/** Send a signal to a process (or, negative, a process group) that may be gone already. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export function createSupervisor(hooks: SupervisorHooks, backoff: BackoffOptions = DEFAULT_BACKOFF): Supervisor {
  const entries = new Map<string, Entry>();
  const waiters: Array<() => void> = [];
  let stopping = false;
  const changed = (): void => {
    hooks.changed();
    for (const w of waiters.splice(0)) w();
  };

  const run = (e: Entry): void => {
    const [cmd, ...args] = e.spec.command;
    const child = spawn(cmd, args, {
      env: { ...process.env, ...e.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: the terminal's signals are the supervisor's to pass on
    });
    e.child = child;
    e.runError = null;
    e.st = { ...e.st, state: 'running', pid: child.pid ?? null, startedAt: Date.now() };
    for (const stream of ['stdout', 'stderr'] as const)
      createInterface({ input: child[stream]!, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (l) =>
        hooks.line(e.spec.name, stream, l),
      );
    e.exited = new Promise((resolve) => {
      child.on('error', (err) => {
        e.runError = err.message; // spawn failed: an exit follows
      });
      child.on('exit', (code, signal) => {
        exitedAs(e, code, signal);
        resolve();
      });
    });
    changed();
  };

  const exitedAs = (e: Entry, code: number | null, signal: string | null): void => {
    const ranMs = Date.now() - (e.st.startedAt ?? Date.now());
    e.child = null;
    e.st = { ...e.st, pid: null, lastExit: { code, signal, at: Date.now() } };
    if (stopping || e.st.state === 'stopping') {
      e.st.state = 'stopped';
    } else if (code === 0 && e.spec.oneShot) {
      e.st.state = 'done';
      hooks.event('info', `${e.spec.name} done`, { part: e.spec.name });
    } else if (code === 2) {
      e.st.state = 'failed';
      hooks.event('error', `${e.spec.name} exited 2 (its configuration or credentials were refused): not restarted`, {
        part: e.spec.name,
        lastError: e.st.lastError,
      });
      hooks.fatal(e.spec.name);
    } else {
      const how = signal ? `killed by ${signal}` : `exited ${code}`;
      e.st.lastError = e.runError ? `${how} after: ${e.runError}` : how;
      if (ranMs >= backoff.resetAfterMs) e.backoff.reset();
      const waitMs = e.backoff.next();
      e.st.restarts++;
      e.st.state = 'backoff';
      hooks.event('warn', `${e.spec.name} exited; restarting`, {
        part: e.spec.name,
        code,
        signal,
        inMs: waitMs,
        restarts: e.st.restarts,
      });
      e.timer = setTimeout(() => {
        e.timer = null;
        if (!stopping && e.st.state === 'backoff') run(e);
      }, waitMs);
    }
    changed();
  };

  const stopOne = async (e: Entry): Promise<void> => {
    if (e.timer) {
      clearTimeout(e.timer);
      e.timer = null;
    }
    if (!e.child) {
      if (e.st.state === 'backoff') e.st.state = 'stopped';
      return;
    }
    e.st.state = 'stopping';
    changed();
    const pid = e.child.pid!;
    signal(pid, 'SIGTERM');
    const t = setTimeout(() => {
      hooks.event('warn', `${e.spec.name} did not stop in time: killed`, {
        part: e.spec.name,
        waitedMs: e.spec.stopTimeoutMs,
      });
      signal(-pid, 'SIGKILL');
    }, e.spec.stopTimeoutMs);
    await e.exited;
    clearTimeout(t);
    signal(-pid, 'SIGKILL'); // what it started and left behind in its group (an nmap run)
  };

  return {
    start(spec) {
      const old = entries.get(spec.name);
      if (old && (old.child || old.timer)) throw new Error(`${spec.name} is running already`);
      const e: Entry = {
        spec,
        st: {
          name: spec.name,
          state: 'running',
          pid: null,
          restarts: old?.st.restarts ?? 0,
          startedAt: null,
          lastExit: null,
          lastError: null,
        },
        child: null,
        exited: null,
        timer: null,
        backoff: new Backoff(backoff.initialMs, backoff.maxMs),
        runError: null,
      };
      entries.set(spec.name, e);
      run(e);
    },
    states: () => [...entries.values()].map((e) => ({ ...e.st })),
    noteError(name, text) {
      const e = entries.get(name);
      if (e) {
        e.st.lastError = text;
        e.runError = text;
        changed();
      }
    },
    settled(name) {
      return new Promise((resolve) => {
        const check = (): void => {
          const e = entries.get(name);
          if (e && ['done', 'failed', 'stopped'].includes(e.st.state)) resolve({ ...e.st });
          else waiters.push(check);
        };
        check();
      });
    },
    async stop(order) {
      stopping = true;
      const named = order.map((n) => entries.get(n)).filter((e): e is Entry => !!e);
      const rest = [...entries.values()].filter((e) => !named.includes(e));
      for (const e of [...named, ...rest]) await stopOne(e);
      changed();
    },
  };
}
