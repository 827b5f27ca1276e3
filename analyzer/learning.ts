// The learning period (policy.learningPeriod): counted from the analyzer's first start on its
// database, stored in the meta table the first time and never changed after, so a restart does
// not start it again. The analyzer records the first start; readers (the console) ask where the
// period stands.

import { getMeta, setMeta } from './store/writes.js';
import type { Store } from './store/store.js';

const FIRST_START = 'first_start';

/** The first start (ms), or null before any analyzer started on this database. */
export async function firstStart(s: Store): Promise<number | null> {
  const v = Number(await getMeta(s, FIRST_START));
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** The first start, recorded as `now` when there is none yet. */
export async function recordFirstStart(s: Store, now = Date.now()): Promise<number> {
  const first = await firstStart(s);
  if (first !== null) return first;
  await setMeta(s, FIRST_START, String(now));
  return now;
}

export interface Learning {
  period_ms: number;
  first_start: number | null;
  /** first_start + period_ms; null before the first start */
  until: number | null;
  /** alerts are held back now */
  active: boolean;
}

export async function learningState(s: Store, periodMs: number, now = Date.now()): Promise<Learning> {
  const first = await firstStart(s);
  const until = first === null ? null : first + periodMs;
  return { period_ms: periodMs, first_start: first, until, active: until !== null && until > now };
}
