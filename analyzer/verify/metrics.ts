// The verifier's Prometheus metrics: views of the verdict counts and the queue its status line
// logs (read when scraped), and the duration of each nmap run. Names and meanings:
// docs/operations.md "Prometheus metrics".

import { Histogram, type Registry } from 'prom-client';
import { gaugeView, labelledCounterView, perScrape } from '../../common/metric-views.js';

export interface VerifierTotals {
  /** verdicts stored, by status (pending requests are not verdicts) */
  verdicts: Record<string, number>;
  /** endpoints waiting for a verification or being verified */
  queued: number;
  /** nmap runs going on */
  running: number;
}

/** Registers the metrics; returns what observes one nmap run's duration. */
export function registerVerifierMetrics(registry: Registry, read: () => VerifierTotals): (seconds: number) => void {
  const now = perScrape(read);
  labelledCounterView(
    registry,
    'porthole_verifications_total',
    'Verdicts stored, by status (verified_open, filtered_to_scanner, closed_now, unverifiable, refused).',
    'status',
    () => now().verdicts,
  );
  gaugeView(
    registry,
    'porthole_verifications_queued',
    'Endpoints waiting for a verification or being verified.',
    () => now().queued,
  );
  gaugeView(registry, 'porthole_nmap_runs_active', 'nmap runs going on.', () => now().running);
  const runs = new Histogram({
    name: 'porthole_nmap_run_duration_seconds',
    help: 'Duration of each nmap run that ended (finished, failed or killed at its timeout).',
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  return (seconds) => runs.observe(seconds);
}
