// Small helpers for command-line values: durations ("5s", "250ms", "2m", "1h"), counts, and a
// usage error that main() turns into a one-line message and exit code 2.

import { UsageError } from '../common/errors.js';
import { parseDuration } from '../common/time.js';

export function durationFlag(name: string, v: string): number {
  const d = parseDuration(v);
  if ('error' in d) throw usage(`${name}: ${d.error}, got ${JSON.stringify(v)}`);
  return d.ms;
}

export function parseCount(name: string, v: string, min = 1): number {
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw usage(`${name}: must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function usage(msg: string): UsageError {
  return new UsageError(msg);
}
