// The supervisor with real child processes (small Node scripts): a child that dies is started
// again after its backoff and the restart counted; a child that exits 2 is not restarted and
// reported as fatal; a one-shot child that exits 0 is done; stop() ends the children one after
// the other in the order given (each SIGTERM, then SIGKILL past its timeout) and leaves none.

import { afterEach, describe, expect, it } from 'vitest';
import { type ChildSpec, createSupervisor, type Supervisor } from '../../up/supervisor.js';

const node = (script: string): string[] => [process.execPath, '-e', script];

/** Runs until SIGTERM, then writes its name and exits 0; prints "up" when started. */
const polite = (name: string, delayMs = 0): string[] =>
  node(
    `console.log('up'); process.on('SIGTERM', () => setTimeout(() => { console.log('${name} stopped ' + Date.now()); process.exit(0); }, ${delayMs})); setInterval(() => {}, 1000);`,
  );

function harness() {
  const lines: Array<{ name: string; text: string }> = [];
  const events: string[] = [];
  const waits: number[] = [];
  const fatal: string[] = [];
  const sup: Supervisor = createSupervisor(
    {
      line: (name, _stream, text) => {
        lines.push({ name, text });
        if (text.startsWith('porthole: ')) sup.noteError(name, text); // as up does for error lines
      },
      changed: () => {},
      event: (_level, msg, fields) => {
        events.push(msg);
        if (typeof fields.inMs === 'number') waits.push(fields.inMs);
      },
      fatal: (name) => fatal.push(name),
    },
    { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 },
  );
  return { sup, lines, events, waits, fatal };
}

const spec = (name: string, command: string[], extra: Partial<ChildSpec> = {}): ChildSpec => ({
  name,
  command,
  stopTimeoutMs: 5000,
  ...extra,
});

async function waitFor<T>(f: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let running: Supervisor | null = null;
afterEach(async () => {
  await running?.stop([]);
  running = null;
});

describe('supervisor', () => {
  it('restarts a child killed with SIGKILL after its backoff, counting the restart', async () => {
    const h = harness();
    running = h.sup;
    h.sup.start(spec('a', polite('a')));
    const first = await waitFor(() => h.sup.states()[0].pid);
    await waitFor(() => h.lines.some((l) => l.text === 'up'));
    process.kill(first, 'SIGKILL');
    const second = await waitFor(() => {
      const s = h.sup.states()[0];
      return s.state === 'running' && s.pid !== first && s.pid;
    });
    expect(alive(first)).toBe(false);
    const st = h.sup.states()[0];
    expect(st.restarts).toBe(1);
    expect(st.lastExit?.signal).toBe('SIGKILL');
    expect(st.lastError).toBe('killed by SIGKILL');
    expect(h.events).toContain('a exited; restarting');
    await h.sup.stop(['a']);
    expect(alive(second)).toBe(false);
    expect(h.sup.states()[0].state).toBe('stopped');
  });

  it('doubles the wait between restarts of a child that keeps failing, up to the cap', async () => {
    const h = harness();
    running = h.sup;
    h.sup.start(spec('crash', node(`console.error('porthole: boom'); process.exit(1)`)));
    await waitFor(() => h.sup.states()[0].restarts >= 4, 10_000);
    expect(h.waits.slice(0, 4)).toEqual([100, 200, 400, 400]);
    expect(h.sup.states()[0].lastError).toBe('exited 1 after: porthole: boom');
  });

  it('does not restart a child that exits 2 and reports it', async () => {
    const h = harness();
    running = h.sup;
    h.sup.start(spec('refused', node('process.exit(2)')));
    const st = await h.sup.settled('refused');
    expect(st.state).toBe('failed');
    expect(st.restarts).toBe(0);
    expect(h.fatal).toEqual(['refused']);
  });

  it('a one-shot child that exits 0 is done, and starts again for a second file', async () => {
    const h = harness();
    running = h.sup;
    h.sup.start(spec('file', node('process.exit(0)'), { oneShot: true }));
    expect((await h.sup.settled('file')).state).toBe('done');
    h.sup.start(spec('file', node('process.exit(0)'), { oneShot: true })); // a second file
    expect((await h.sup.settled('file')).state).toBe('done');
    expect(h.sup.states()[0].restarts).toBe(0);
  });

  it('stops children one after the other in the given order, killing one that does not stop', async () => {
    const h = harness();
    running = h.sup;
    h.sup.start(spec('second', polite('second')));
    h.sup.start(spec('first', polite('first', 300)));
    h.sup.start(
      spec('stubborn', node(`console.log('up'); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`), {
        stopTimeoutMs: 500,
      }),
    );
    await waitFor(() => h.lines.filter((l) => l.text === 'up').length === 3);
    const pids = h.sup.states().map((s) => s.pid!);
    await h.sup.stop(['first', 'second']);
    const stoppedAt = (name: string): number =>
      Number(h.lines.find((l) => l.text.startsWith(`${name} stopped`))!.text.split(' ')[2]);
    expect(stoppedAt('first')).toBeLessThan(stoppedAt('second'));
    expect(h.events).toContain('stubborn did not stop in time: killed');
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(h.sup.states().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
  });
});
