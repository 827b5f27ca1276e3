// Detection: the state of each tracked endpoint and the alerts its changes raise. Pure: the
// caller loads the known states, feeds Observations and persists what comes out.
// new        first seen, alerted (or `active` when learning, expected, or on a flagged host)
// active     known and not alerted (baseline, expected, or verified)
// stale      not seen for policy.staleAfter
// reopened   seen again after stale (alerted again)
// A host answering on more than policy.synProxyPorts ports is flagged once (syn_proxy_host)
// and its ports raise no per-port alerts. The alerts themselves (ids, severity, text) are built
// in rules.ts; an id already known is never raised again.

import { endpointKey } from '../schemas/endpoint.js';
import type { Observation } from '../schemas/observation.js';
import type { AlertRow, StateRow } from '../schemas/tables.js';
import type { AnalyzerConfig } from './config.js';
import { clientOutside, isExpected, isTracked, severity } from './policy.js';
import { flaggedHostOf, newServiceAlert, reopenedServiceAlert, synProxyHostAlert } from './rules.js';

export interface Changes {
  states: StateRow[];
  alerts: AlertRow[];
}

/** last_seen alone is persisted at most this often per endpoint (state changes always are). */
export const PERSIST_LAST_SEEN_MS = 60_000;

export class Detector {
  private readonly states = new Map<string, StateRow>();
  private readonly persistedLastSeen = new Map<string, number>();
  private readonly hostPorts = new Map<string, Set<number>>();
  private readonly flagged = new Set<string>();

  constructor(
    private readonly policy: AnalyzerConfig['policy'],
    private readonly learningUntil: number,
    private readonly knownAlerts: Set<string>,
  ) {}

  load(rows: StateRow[], alertIds: Set<string>): void {
    this.states.clear();
    this.hostPorts.clear();
    this.persistedLastSeen.clear();
    for (const r of rows) {
      const k = endpointKey(r);
      this.states.set(k, r);
      this.persistedLastSeen.set(k, r.last_seen);
      this.portsOf(r.ip).add(r.port);
    }
    for (const id of alertIds) {
      this.knownAlerts.add(id);
      const host = flaggedHostOf(id);
      if (host !== null) this.flagged.add(host);
    }
  }

  apply(obs: Observation[], now: number): Changes {
    const changed = new Map<string, StateRow>();
    const alerts: AlertRow[] = [];
    const alert = (a: AlertRow): void => {
      if (this.knownAlerts.has(a.alert_id)) return;
      this.knownAlerts.add(a.alert_id);
      alerts.push(a);
    };
    for (const o of obs) {
      if (!isTracked(o.ip, this.policy.homeNetworks)) continue;
      const k = endpointKey(o);
      const cur = this.states.get(k);
      const outside = clientOutside(o, this.policy.homeNetworks);
      const sev = severity(o.port, this.policy.highRiskPorts, outside);
      let next: StateRow;
      if (!cur) {
        const ports = this.portsOf(o.ip);
        ports.add(o.port);
        if (ports.size > this.policy.synProxyPorts && !this.flagged.has(o.ip)) {
          this.flagged.add(o.ip);
          alert(synProxyHostAlert(o, ports.size, this.policy.synProxyPorts, now));
        }
        const reason =
          now < this.learningUntil
            ? 'learning'
            : isExpected(o.ip, o.port, this.policy.expected)
              ? 'expected'
              : this.flagged.has(o.ip)
                ? 'syn_proxy'
                : 'alerted';
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
        if (reason === 'alerted') alert(newServiceAlert(o, sev, outside, now));
      } else {
        next = {
          ...cur,
          first_seen: Math.min(cur.first_seen, o.first_seen),
          last_seen: Math.max(cur.last_seen, o.last_seen),
        };
        if (cur.state === 'stale' && o.last_seen > cur.last_seen) {
          next.state = 'reopened';
          next.since = now;
          next.reason = 'seen_again';
          if (!this.flagged.has(o.ip)) alert(reopenedServiceAlert(o, sev, cur.since, now));
        }
        next.version = Math.max(cur.version + 1, now);
        const onlySeen = next.state === cur.state && next.first_seen === cur.first_seen;
        if (onlySeen && next.last_seen === cur.last_seen) continue;
        this.states.set(k, next);
        // a newer last_seen alone is stored at most once a minute: the inventory reads last_seen
        // from the observations; the stored one only serves the stale sweep after a restart
        if (onlySeen && next.last_seen - (this.persistedLastSeen.get(k) ?? 0) < PERSIST_LAST_SEEN_MS) continue;
      }
      this.states.set(k, next);
      this.persistedLastSeen.set(k, next.last_seen);
      changed.set(k, next);
    }
    return { states: [...changed.values()], alerts };
  }

  /** Endpoints not seen for policy.staleAfter become stale. */
  sweepStale(now: number): StateRow[] {
    const out: StateRow[] = [];
    for (const [k, s] of this.states) {
      if (s.state !== 'stale' && s.last_seen < now - this.policy.staleAfterMs) {
        const next = { ...s, state: 'stale', since: now, reason: 'not_seen', version: Math.max(s.version + 1, now) };
        this.states.set(k, next);
        this.persistedLastSeen.set(k, next.last_seen);
        out.push(next);
      }
    }
    return out;
  }

  private portsOf(ip: string): Set<number> {
    let s = this.hostPorts.get(ip);
    if (!s) {
      s = new Set();
      this.hostPorts.set(ip, s);
    }
    return s;
  }
}
