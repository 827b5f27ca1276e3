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

/**
 * One line for a command-line error of node:util's parseArgs (its own text spans lines, or
 * quotes unevenly), naming the option and, where there is one, the value; null for others.
 */
export function argsErrorText(err: unknown, cmd: string, argv: readonly string[]): string | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code !== 'string' || !e.code.startsWith('ERR_PARSE_ARGS')) return null;
  const message = String(e.message ?? '');
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted} (see porthole ${cmd} --help)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)}: porthole ${cmd} takes options only (see porthole ${cmd} --help)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "'--window <value>' argument missing", "'-h, --help' does not take an argument"
      const opt =
        quoted
          .replace(/ <value>$/, '')
          .split(', ')
          .pop() ?? quoted;
      if (/does not take an argument/.test(message)) return `${opt} takes no value`;
      if (/ambiguous/.test(message)) {
        const next = argv[argv.indexOf(opt) + 1] ?? '';
        return /^-[\d.]/.test(next)
          ? `${opt} ${next}: write a value starting with "-" as ${opt}=${next}`
          : `${opt}: a value is required (next came ${next}; a value starting with "-" is written ${opt}=VALUE)`;
      }
      return `${opt}: a value is required`;
    }
    default:
      return message.split('\n')[0];
  }
}
