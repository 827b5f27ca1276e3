// Sweeps as `porthole sweeps` and the console's API show them: the newest sweeps with their
// progress, and one sweep with what it found, each endpoint classified by method. Read-only;
// the CLI and the API both call these (no second query path).

import type { Store } from '../store/store.js';
import { sweepFindings, sweepTotals } from '../store/sweep-queries.js';
import { type Classified, classify } from './classify.js';
import { parsePortSet } from './ports.js';
import { type SweepProgress, sweepProgress } from './progress.js';

export type { SweepProgress };

export async function listSweeps(s: Store, limit: number, now = Date.now()): Promise<SweepProgress[]> {
  return (await sweepTotals(s, { limit })).map((t) => sweepProgress(t, now));
}

/** One sweep's progress and its endpoints by method; null when there is no such sweep. */
export async function showSweep(
  s: Store,
  sweepId: string,
  now = Date.now(),
): Promise<(SweepProgress & { endpoints: Classified[] }) | null> {
  const [t] = await sweepTotals(s, { limit: 1, sweepId });
  if (!t) return null;
  const ports = parsePortSet(t.ports);
  const f = await sweepFindings(s, sweepId);
  return {
    ...sweepProgress(t, now),
    endpoints: classify(f.open, f.passive, 'error' in ports ? { kind: 'all' } : ports),
  };
}
