// Runs the real `porthole` command (the compiled bin) and parses its output.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/porthole.js', import.meta.url));

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
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
