// Detection: the state of each tracked endpoint and the alerts its changes raise. Pure: the
// caller loads the known states (of the partitions it holds), feeds Observations and persists
// what comes out.
// new        first seen, alerted (or `active` when learning, in the first-start baseline,
//            expected, or on a flagged host)
// active     known and not alerted (baseline, expected, or verified)
// stale      not seen for policy.staleAfter, counted on its partition's data clock (below)
// reopened   seen again after stale (alerted again)
// A host answering on more than policy.synProxyPorts ports is flagged once (syn_proxy_host)
// and its ports raise no per-port alerts. The alerts themselves (ids, severity, text) are built
// in rules.ts. An alert is raised only on a state change, and a state exists for every alerted
// endpoint, so it is not raised twice; its id is deterministic, so a repeat after a crash
// (alerts stored, states not) collapses in the alerts table and is not delivered twice.
// Staleness is judged against the newest sighting applied from the endpoint's Kafka partition
// (never later than now), not the wall clock alone: an analyzer cut off from its Observations
// (Kafka down, a rebalance, a restart, a lag) would otherwise find every endpoint unseen and
// raise a reopened_service alert for each when the backlog arrives. A partition with nothing
// newer than policy.staleAfter ago falls back to the wall clock less policy.staleAfter, so its
// endpoints still go stale when its hosts all fall silent.
// First start: a fresh database alerts on at most policy.firstStartLimit new endpoints within
// policy.firstStartWindow of its first start; past that, the rest of the window builds the
// baseline (reason `baseline`, no alert) and one first_start_baseline alert says so. Each
// analyzer of a group counts the endpoints of its own partitions.

import { type EndpointId, endpointKey } from '../schemas/endpoint.js';
import type { Observation } from '../schemas/observation.js';
import type { AlertRow, ExposureEventRow, StateRow } from '../schemas/tables.js';
import type { AnalyzerConfig } from './config.js';
import { clientOutside, type Expected, isExpected, isTracked, poorCoverage, severity } from './policy.js';
import { firstStartBaselineAlert, newServiceAlert, owned, reopenedServiceAlert, synProxyHostAlert } from './rules.js';
import { EndpointTable } from './state/endpoint-table.js';

export interface Changes {
  states: StateRow[];
  alerts: AlertRow[];
  /** exposure intervals opened (a new or reopened endpoint) or closed (stale) */
  exposures: ExposureEventRow[];
}

/** last_seen alone is persisted at most this often per endpoint (state changes always are). */
export const PERSIST_LAST_SEEN_MS = 60_000;

export interface Baseline {
  /** before this time new endpoints are learned, not alerted (policy.learningPeriod) */
  learningUntil: number;
  /** the database's first start, and the end of the window in which alerts on new endpoints are capped */
  firstStart: number;
  guardUntil: number;
  /** new_service alerts allowed in that window (this analyzer's partitions) */
  guardLimit: number;
  /** new_service alerts already raised in that window (after a restart) */
  guardCount: number;
}

export class Detector {
  private table = new EndpointTable();
  private guardCount: number;
  private guardTripped = false;
  private expected: Expected[];
  /** per Kafka partition, the newest last_seen applied: how far this analyzer knows what was seen */
  private seenUpTo = new Map<number, number>();

  constructor(
    private readonly policy: AnalyzerConfig['policy'],
    private readonly baseline: Baseline,
  ) {
    this.guardCount = baseline.guardCount;
    this.expected = policy.expected;
  }

  /** Swap the expected services (config and stored rules); Observations applied after it use them. */
  setExpected(expected: Expected[]): void {
    this.expected = expected;
  }

  /** Replace what is held: the states of the partitions now assigned, and the flagged hosts. */
  replace(table: EndpointTable, flaggedHosts: Iterable<string>): void {
    for (const ip of flaggedHosts) table.flag(ip);
    this.table = table;
  }

  /** Endpoints held. */
  get size(): number {
    return this.table.size;
  }

  /** Whether the first-start limit was reached (the rest of its window is baseline). */
  get baselineTripped(): boolean {
    return this.guardTripped;
  }

  /** Applies one batch of Observations of Kafka partition `partition`. */
  apply(obs: Observation[], now: number, partition = 0): Changes {
    const t = this.table;
    const changed = new Map<string, StateRow>();
    const alerts: AlertRow[] = [];
    const exposures: ExposureEventRow[] = [];
    let upTo = this.seenUpTo.get(partition) ?? Number.NEGATIVE_INFINITY;
    for (const o of obs) if (o.last_seen > upTo) upTo = o.last_seen;
    if (obs.length) this.seenUpTo.set(partition, upTo);
    for (const o of obs) {
      if (!isTracked(o.ip, this.policy.homeNetworks)) continue;
      const r = t.find(o.ip, o.proto, o.port);
      const outside = clientOutside(o, this.policy.homeNetworks);
      let next: StateRow;
      if (r < 0) {
        const ports = t.portCount(o.ip) + 1;
        if (ports > this.policy.synProxyPorts && !t.flagged(o.ip)) {
          t.flag(o.ip);
          alerts.push(synProxyHostAlert(o, ports, this.policy.synProxyPorts, now));
        }
        let reason = this.newReason(o, now);
        if (reason === 'alerted' && now < this.baseline.guardUntil) {
          if (this.guardCount >= this.baseline.guardLimit) {
            reason = 'baseline';
            if (!this.guardTripped) {
              this.guardTripped = true;
              alerts.push(firstStartBaselineAlert(this.baseline, now));
            }
          } else this.guardCount++;
        }
        next = {
          ip: o.ip,
          proto: o.proto,
          port: o.port,
          state: reason === 'alerted' ? 'new' : 'active',
          since: now,
          first_seen: o.first_seen,
          last_seen: o.last_seen,
          reason,
          version: now,
        };
        exposures.push(exposure(o, o.first_seen, 'open', 'new'));
        if (reason === 'alerted') {
          const sev = severity(o.port, this.policy.highRiskPorts, outside);
          alerts.push(newServiceAlert(o, sev, outside, now, poorCoverage(o, this.policy.poorCoverage)));
        }
      } else {
        const cur = t.get(r);
        next = {
          ...cur,
          first_seen: Math.min(cur.first_seen, o.first_seen),
          last_seen: Math.max(cur.last_seen, o.last_seen),
        };
        if (cur.state === 'stale' && o.last_seen > cur.last_seen) {
          next.state = 'reopened';
          next.since = now;
          next.reason = 'seen_again';
          exposures.push(exposure(o, o.first_seen, 'open', 'seen_again'));
          // an expected service seen again is known: no alert (as when it was new)
          if (!t.flagged(o.ip) && !isExpected(o.ip, o.port, this.expected)) {
            const sev = severity(o.port, this.policy.highRiskPorts, outside);
            alerts.push(reopenedServiceAlert(o, sev, cur.since, now));
          }
        }
        next.version = Math.max(cur.version + 1, now);
        const onlySeen = next.state === cur.state && next.first_seen === cur.first_seen;
        if (onlySeen && next.last_seen === cur.last_seen) continue;
        // a newer last_seen alone is stored at most once a minute: the inventory reads last_seen
        // from the observations; the stored one only serves the stale sweep after a restart
        if (onlySeen && next.last_seen - t.persistedLastSeen(r) < PERSIST_LAST_SEEN_MS) {
          t.put(next, t.persistedLastSeen(r));
          continue;
        }
      }
      t.put(next);
      changed.set(endpointKey(next), next);
    }
    return { states: [...changed.values()], alerts: alerts.map((a) => owned(a, this.policy.owners)), exposures };
  }

  /**
   * Endpoints not seen for policy.staleAfter on their partition's data clock become stale: their
   * exposure ends at their last sighting. `partitionOf` maps an address to its Kafka partition.
   */
  sweepStale(
    now: number,
    partitionOf: (ip: string) => number = () => 0,
  ): { states: StateRow[]; exposures: ExposureEventRow[] } {
    const t = this.table;
    const out: StateRow[] = [];
    const exposures: ExposureEventRow[] = [];
    const after = this.policy.staleAfterMs;
    const floor = now - after; // the data clock of a partition silent that long
    for (let r = 0; r < t.size; r++) {
      // the data clock is never past now: an endpoint seen within staleAfter of now is fresh
      if (t.lastSeenOf(r) >= floor || t.state(r) === 'stale') continue;
      const s = t.get(r);
      const clock = Math.max(floor, Math.min(now, this.seenUpTo.get(partitionOf(s.ip)) ?? floor));
      if (t.lastSeenOf(r) >= clock - after) continue;
      const next = { ...s, state: 'stale', since: now, reason: 'not_seen', version: Math.max(s.version + 1, now) };
      t.put(next);
      out.push(next);
      exposures.push(exposure(s, s.last_seen, 'close', 'stale'));
    }
    return { states: out, exposures };
  }

  private newReason(o: Observation, now: number): string {
    if (now < this.baseline.learningUntil) return 'learning';
    if (isExpected(o.ip, o.port, this.expected)) return 'expected';
    if (this.table.flagged(o.ip)) return 'syn_proxy';
    return 'alerted';
  }
}

function exposure(e: EndpointId, ts: number, event: 'open' | 'close', reason: string): ExposureEventRow {
  return { ip: e.ip, proto: e.proto, port: e.port, ts, event, reason };
}
