// What each part is doing now, from its own /metrics: one counter per part read twice a second
// apart, its rate per second and its total. A part whose metrics cannot be read (none served,
// or none of its counter yet) has no rate, never a guessed one.

import { sleep } from '../common/time.js';

/** The counter that says each part's work, and what it counts. */
export const PART_COUNTERS: Record<string, { metric: string; unit: string }> = {
  sensor: { metric: 'porthole_packets_total', unit: 'packets' },
  analyzer: { metric: 'porthole_observations_consumed_total', unit: 'observations' },
  verifier: { metric: 'porthole_verifications_total', unit: 'verifications' },
  console: { metric: 'porthole_console_http_request_duration_seconds_count', unit: 'requests' },
};

export interface PartRate {
  unit: string;
  perSecond: number;
  total: number;
}

/**
 * The sum of every sample of `metric` in a Prometheus text page: 0 when it is declared without
 * samples yet (a labelled counter before its first count), null when the page lacks it.
 */
export function sumMetric(page: string, metric: string): number | null {
  let sum: number | null = page.includes(`# TYPE ${metric} `) ? 0 : null;
  for (const line of page.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue; // a longer name with this prefix
    const v = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

async function read(listen: string, metric: string): Promise<number | null> {
  try {
    const r = await fetch(`http://${listen}/metrics`, { signal: AbortSignal.timeout(1000) });
    return r.ok ? sumMetric(await r.text(), metric) : null;
  } catch {
    return null;
  }
}

/** Each named part's rate over one second, from its metrics address; parts without one are left out. */
export async function partRates(
  parts: Array<{ name: string; metrics: string | null }>,
): Promise<Map<string, PartRate>> {
  const want = parts.filter((p) => p.metrics && PART_COUNTERS[p.name]);
  const first = await Promise.all(want.map((p) => read(p.metrics!, PART_COUNTERS[p.name].metric)));
  const t0 = Date.now();
  await sleep(1000);
  const second = await Promise.all(want.map((p) => read(p.metrics!, PART_COUNTERS[p.name].metric)));
  const secs = (Date.now() - t0) / 1000;
  const out = new Map<string, PartRate>();
  want.forEach((p, i) => {
    const a = first[i];
    const b = second[i];
    if (a === null || b === null) return;
    out.set(p.name, { unit: PART_COUNTERS[p.name].unit, perSecond: Math.max(0, b - a) / secs, total: b });
  });
  return out;
}
