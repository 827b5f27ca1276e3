// Small helpers for command-line values: durations ("5s", "250ms", "2m", "1h"), counts, and a
// usage error that main() turns into a one-line message and exit code 2.

import { SensorError } from '../sensor/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(name: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim());
  if (!m) throw usage(`${name}: not a duration: ${JSON.stringify(v)} (use e.g. 500ms, 5s, 2m, 1h)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']);
}

export function parseCount(name: string, v: string, min = 1): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw usage(`${name}: must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function usage(msg: string): SensorError {
  return new SensorError('USAGE', msg);
}
