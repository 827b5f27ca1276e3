// Runs the real `porthole` command (the compiled bin) and parses its output.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// from test/support/ (vitest) or dist/test/support/ (compiled benchmarks): the repository root
const here = fileURLToPath(import.meta.url);
const root = here.includes('/dist/')
  ? here.slice(0, here.lastIndexOf('/dist/'))
  : fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${root.replace(/\/$/, '')}/bin/porthole.js`;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function porthole(args: string[], input?: Buffer): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function replayJson(files: string[], extra: string[] = []): Array<Record<string, unknown>> {
  const r = porthole(['replay', '--json', ...extra, ...files]);
  if (r.status !== 0) throw new Error(`porthole replay failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
