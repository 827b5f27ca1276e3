// The one pino root of a long-running process (sensor, analyzer, verifier); its stages take
// children. Logs go to stdout: JSON lines for a collector (journald, a file, a pipe), readable
// lines through pino-pretty on a terminal; log.format (PORTHOLE_LOG_FORMAT) forces either.

import { type Logger, pino } from 'pino';
import type { LogFormat } from '../schemas/config-spec.js';

export interface LogOptions {
  level: string;
  format: LogFormat;
  /** fields on every line (service, sensor id) */
  base: Record<string, unknown>;
}

/** Whether lines are pretty-printed: forced by the format, else when stdout is a terminal. */
export function prettyLogs(format: LogFormat, stdoutIsTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTty);
}

export async function rootLogger(o: LogOptions): Promise<Logger> {
  const opts = { level: o.level, base: o.base };
  const tty = process.stdout.isTTY === true;
  if (!prettyLogs(o.format, tty)) return pino(opts);
  // loaded only when used: a process logging JSON never pays for it
  const { default: pretty } = await import('pino-pretty');
  return pino(
    opts,
    pretty({
      destination: 1,
      sync: true, // a line is on the terminal before the process goes on (and before it exits)
      colorize: tty,
      singleLine: true, // a status object stays one line, not forty
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
      ignore: 'pid,hostname',
    }),
  );
}
