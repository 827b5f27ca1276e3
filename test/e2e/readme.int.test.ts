// The README's quick start, verbatim, on a fresh copy of this tree (every file git tracks or
// would track, nothing built or installed): each line of its set-up block, then its demo line
// with --exit-after-alert (CI must not wait for a Ctrl-C). The demo must end well and its
// new-service alert must come within a minute of its start. As root (the set-up is); against
// the shared local Kafka and ClickHouse, which the demo finds running and leaves running.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const copy = mkdtempSync(join(tmpdir(), 'porthole-readme-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** The command lines of the first shell block under the README heading `## title`. */
function block(title: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n## ${title}\n`);
  if (at < 0) throw new Error(`README has no "## ${title}"`);
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  return m![1].split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
}

/** This tree as a fresh clone would have it, with the changes not yet committed. */
function freshCopy(): void {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  for (const f of r.stdout.split('\0').filter(Boolean)) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(join(ROOT, f));
    } catch {
      continue; // deleted in the working tree
    }
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(copy, f));
    chmodSync(join(copy, f), st.mode);
  }
}

/**
 * Run one line in the copy with bash, in a process group of its own; past `timeout` the group
 * gets SIGINT (the demo's Ctrl-C: it cleans up) and, 60 s later, SIGKILL.
 */
function sh(line: string, timeout: number): Promise<{ status: number | null; out: string }> {
  const c = spawn('bash', ['-c', line], { cwd: copy, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  c.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  c.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-c.pid!, sig);
    } catch {
      /* gone */
    }
  };
  const soft = setTimeout(() => signal('SIGINT'), timeout);
  const hard = setTimeout(() => signal('SIGKILL'), timeout + 60_000);
  return new Promise((resolve) =>
    c.on('close', (status) => {
      clearTimeout(soft);
      clearTimeout(hard);
      resolve({ status, out });
    }),
  );
}

describe("the README's quick start", () => {
  it('set up, then the demo: its alert within a minute', async () => {
    const setup = block('Set up (fresh Debian machine)');
    const quick = block('Quick start');
    expect(setup.map((l) => l.split(/\s+/)[0])).toEqual(['deploy/install.sh', 'npm']);
    const demo = quick.find((l) => /porthole demo/.test(l))!;
    expect(demo).toBeDefined();
    freshCopy();
    for (const line of setup) {
      const r = await sh(line, 900_000);
      expect(r.status, `${line}\n${r.out.slice(-3000)}`).toBe(0);
    }
    // the line as written, its comment aside, and the flag that ends it after the alert
    const r = await sh(`${demo.replace(/\s+#.*$/, '')} --exit-after-alert`, 240_000);
    expect(r.status, r.out.slice(-4000)).toBe(0);
    const alert = /^\[ *(\d+)s\] ALERT \(medium\) new service 10\.77\.0\.20:8000\/tcp/m.exec(r.out);
    expect(alert, r.out).not.toBeNull();
    expect(Number(alert![1])).toBeLessThanOrEqual(60);
    expect(r.out).toMatch(/done\n$/);
  }, 1_200_000);
});
