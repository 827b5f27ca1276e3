// The one log of `porthole up`: every part's lines and its own in one stream. Children log JSON
// lines (up sets PORTHOLE_LOG_FORMAT=json for them); each record gets the part's name (`part`).
// Readable lines (time, level, part, message, fields) on a terminal or with log.format pretty,
// else JSON lines. A child's line that is not JSON (its one-line error on stderr, a library's
// warning) becomes a record of its own: an error when it is Porthole's `porthole: …` line.

import { prettyFactory } from 'pino-pretty';

export type LogRecord = Record<string, unknown> & { level: number; msg: string; part: string };

export const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export interface LogLines {
  /** a line a part wrote; returns it as a record */
  fromChild(part: string, stream: 'stdout' | 'stderr', text: string): LogRecord | null;
  /** a line of up's own */
  own(level: keyof typeof LEVELS, msg: string, fields?: Record<string, unknown>): void;
}

export function createLogLines(o: { pretty: boolean; colorize: boolean; write: (text: string) => void }): LogLines {
  const width = 8; // the longest part name: analyzer, verifier
  const pretty = o.pretty
    ? prettyFactory({
        colorize: o.colorize,
        singleLine: true,
        translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
        ignore: 'pid,hostname,service,part',
        messageFormat: '{part} | {msg}',
      })
    : null;
  const emit = (r: LogRecord): void => {
    o.write(pretty ? pretty({ ...r, part: r.part.padEnd(width) }) : `${JSON.stringify(r)}\n`);
  };
  return {
    fromChild(part, stream, text) {
      if (!text.trim()) return null;
      let r: LogRecord;
      const parsed = parse(text);
      if (parsed) r = { ...parsed, level: parsed.level, msg: parsed.msg, part };
      else {
        const level = stream === 'stderr' ? (text.startsWith('porthole: ') ? LEVELS.error : LEVELS.warn) : LEVELS.info;
        r = { level, time: Date.now(), part, msg: text };
      }
      emit(r);
      return r;
    },
    own(level, msg, fields = {}) {
      emit({ level: LEVELS[level], time: Date.now(), service: 'porthole-up', ...fields, part: 'up', msg });
    },
  };
}

function parse(text: string): (Record<string, unknown> & { level: number; msg: string }) | null {
  if (!text.startsWith('{')) return null;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v.level !== 'number') return null;
    return { ...v, level: v.level, msg: typeof v.msg === 'string' ? v.msg : '' };
  } catch {
    return null;
  }
}
