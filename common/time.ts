// Time helpers shared by every process: durations as text, sleeping, the UTC day of a time.
// Rule for durations (config keys, environment variables and flags alike): text always carries
// its unit ("500ms", "5s", "2m", "1h", "7d"); a bare number in text is refused as ambiguous. A
// JSON number in a config file is milliseconds, as are all durations inside the code.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DAY_MS = UNITS.d;

/** Milliseconds of a duration text, or an explanation of why it is not one. */
export function parseDuration(text: string): { ms: number } | { error: string } {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return { error: 'not a duration (use e.g. 500ms, 5s, 2m, 1h, 7d)' };
  if (!m[2]) return { error: `a duration needs a unit (e.g. ${m[1]}s or ${m[1]}ms)` };
  return { ms: Math.round(Number(m[1]) * UNITS[m[2]]) };
}

/** Resolves after `ms`; an unref'd timer when `unref` (it does not keep the process alive). */
export function sleep(ms: number, unref = false): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(r, ms);
    if (unref) t.unref();
  });
}

/**
 * `p`'s outcome, or 'timeout' when it has not settled within `ms`. For a stop that a client
 * library may never complete (kafkajs ignores a disconnect while it reconnects to a broker
 * that is away): the caller goes on and says what it gave up on.
 */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// the last few days asked for, remembered: the write path asks once per row
const days = new Map<number, string>();

/** The UTC day (YYYY-MM-DD) of a time in ms: the partition key of the day-partitioned tables. */
export function isoDay(ms: number): string {
  const n = Math.floor(ms / DAY_MS);
  let d = days.get(n);
  if (d === undefined) {
    if (days.size > 64) days.clear();
    d = new Date(n * DAY_MS).toISOString().slice(0, 10);
    days.set(n, d);
  }
  return d;
}
