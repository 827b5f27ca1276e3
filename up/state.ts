// The state file of a running `porthole up` ($PORTHOLE_HOME/up.json unless --state names
// another): its pid, the local services and how they came to run, the console's URL, and each
// part's state, pid, restarts, last exit and last error, plus where it serves its metrics.
// Written whole (a temporary file renamed over it) at every change, read by `porthole status`.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ServiceHow, ServiceName } from './local-services.js';
import type { ChildState } from './supervisor.js';

export interface PartState extends ChildState {
  /** address:port of its /metrics, from its `metrics served` line */
  metrics: string | null;
}

export interface UpState {
  v: 1;
  pid: number;
  startedAt: number;
  updatedAt: number;
  /** set when up stopped */
  stoppedAt: number | null;
  services: Partial<Record<ServiceName, ServiceHow>>;
  /** the console's URL, from its `console listening` line */
  console: string | null;
  parts: PartState[];
}

/** $PORTHOLE_HOME/up.json, PORTHOLE_HOME defaulting to ~/.porthole as for deploy/local.sh. */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.PORTHOLE_HOME || join(homedir(), '.porthole'), 'up.json');
}

export function writeState(path: string, s: UpState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
}

/** The state in `path`; null when there is none (no file, or not a state file). */
export function readState(path: string): UpState | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const s = JSON.parse(text) as UpState;
    return s?.v === 1 && Array.isArray(s.parts) ? s : null;
  } catch {
    return null;
  }
}

/** Whether the `porthole up` that wrote `s` still runs (its pid alive and not marked stopped). */
export function upRunning(s: UpState): boolean {
  if (s.stoppedAt !== null) return false;
  try {
    process.kill(s.pid, 0);
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'; // alive, another user's
  }
  // a pid reused by an unrelated process after up died without marking the file
  try {
    return readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').includes('porthole');
  } catch {
    return true; // no /proc: trust kill(0)
  }
}
