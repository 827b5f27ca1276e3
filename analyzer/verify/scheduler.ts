// The verification queue: deduplicated per endpoint, batched per host (new ports of one host
// wait `batchDelayMs` and go into one nmap run), bounded concurrency and runs per minute, no
// endpoint verified more often than `minIntervalMs` (finished scans only: a refusal is no scan;
// a forced request, `porthole verify`, skips this check but never the scope), and a scope check
// before anything runs: addresses outside the allowed networks are refused and recorded, never
// scanned. Pure scheduling: the scan itself and the storage are injected.

import { type EndpointId, endpointKey } from '../../schemas/endpoint.js';
import type { Cidr } from '../policy.js';
import { outOfScope } from './scope.js';

export interface SchedulerOptions {
  allowed: Cidr[];
  minIntervalMs: number;
  concurrency: number;
  maxRunsPerMinute: number;
  batchDelayMs: number;
  /** Scan one host's ports; resolves when the results are stored. */
  scan(ip: string, ports: number[]): Promise<void>;
  /** Record a refusal (out of scope) without scanning; `request`: the request it answers. */
  refuse(e: EndpointId, why: string, request: string): Promise<void>;
  /** Last finished scan per endpoint key, ms (to honour minIntervalMs). */
  lastVerified: Map<string, number>;
}

export type RequestOutcome = 'queued' | 'duplicate' | 'too_soon' | 'refused';

export interface RequestOptions {
  /** skip the minIntervalMs check (an operator asked) */
  force?: boolean;
  /** the `porthole verify` request id, passed to refuse() */
  request?: string;
}

export function createScheduler(o: SchedulerOptions) {
  const waiting = new Map<string, Set<number>>(); // ip -> ports
  const timers = new Map<string, NodeJS.Timeout>();
  const ready: string[] = [];
  const queued = new Set<string>(); // endpoint keys waiting or running
  const runTimes: number[] = [];
  let running = 0;
  let refused = 0;
  let skipped = 0;
  let stopped = false;
  let idle: (() => void) | null = null;

  function pump(): void {
    const now = Date.now();
    while (runTimes.length && runTimes[0] < now - 60_000) runTimes.shift();
    while (!stopped && running < o.concurrency && ready.length) {
      if (runTimes.length >= o.maxRunsPerMinute) {
        setTimeout(pump, runTimes[0] + 60_000 - now + 10).unref();
        return;
      }
      const ip = ready.shift()!;
      const ports = [...(waiting.get(ip) ?? [])];
      waiting.delete(ip);
      if (ports.length === 0) continue;
      running++;
      runTimes.push(Date.now());
      void o
        .scan(ip, ports)
        .catch(() => {})
        .finally(() => {
          running--;
          for (const port of ports) queued.delete(endpointKey({ ip, proto: 'tcp', port }));
          if (running === 0) idle?.();
          pump();
        });
    }
  }

  return {
    /** Ask for a verification; returns what happened to the request. */
    async request(e: EndpointId, opts: RequestOptions = {}): Promise<RequestOutcome> {
      const k = endpointKey(e);
      if (queued.has(k)) return 'duplicate';
      const why = outOfScope(e.ip, o.allowed);
      if (why) {
        refused++;
        await o.refuse(e, why, opts.request ?? '');
        return 'refused';
      }
      const last = o.lastVerified.get(k);
      if (!opts.force && last !== undefined && Date.now() - last < o.minIntervalMs) {
        skipped++;
        return 'too_soon';
      }
      queued.add(k);
      let ports = waiting.get(e.ip);
      if (!ports) {
        ports = new Set();
        waiting.set(e.ip, ports);
      }
      ports.add(e.port);
      if (!timers.has(e.ip)) {
        timers.set(
          e.ip,
          setTimeout(() => {
            timers.delete(e.ip);
            ready.push(e.ip);
            pump();
          }, o.batchDelayMs),
        );
      }
      return 'queued';
    },
    stats: () => ({ running, waitingHosts: waiting.size, queued: queued.size, refused, skipped }),
    /** Start nothing more; resolves once the running scans have ended (the caller aborts them). */
    stop(): Promise<void> {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      return running === 0 ? Promise.resolve() : new Promise((resolve) => (idle = resolve));
    },
  };
}
