// Detection: the state of each tracked endpoint and the alerts its changes raise. Pure: the
// caller loads the known states, feeds Observations and persists what comes out.
// new        first seen, alerted (or `active` when learning, expected, or on a flagged host)
// active     known and not alerted (baseline, expected; verified by issue 5's verifier)
// stale      not seen for policy.staleAfter
// reopened   seen again after stale (alerted again)
// A host answering on more than policy.synProxyPorts ports is flagged once (syn_proxy_host)
// and its ports raise no per-port alerts. Alert ids are deterministic, so a redelivered batch
// or a restart cannot raise an alert twice.

import type { Observation } from '../schemas/observation.js';
import type { AnalyzerConfig } from './config.js';
import { inAny, inCidr, severity } from './policy.js';
import type { AlertRow, StateRow } from './store/clickhouse-store.js';

export interface Changes {
  states: StateRow[];
  alerts: AlertRow[];
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const key = (ip: string, proto: string, port: number): string => `${ip}|${proto}|${port}`;

/** last_seen alone is persisted at most this often per endpoint (state changes always are). */
export const PERSIST_LAST_SEEN_MS = 60_000;

export class Detector {
  private readonly states = new Map<string, StateRow>();
  private readonly persistedLastSeen = new Map<string, number>();
  private readonly hostPorts = new Map<string, Set<number>>();
  private readonly flagged = new Set<string>();

  constructor(
    private readonly policy: AnalyzerConfig['policy'],
    private learningUntil: number,
    private readonly knownAlerts: Set<string>,
  ) {}

  load(rows: StateRow[], alertIds: Set<string>): void {
    this.states.clear();
    this.hostPorts.clear();
    this.persistedLastSeen.clear();
    for (const r of rows) {
      this.states.set(key(r.ip, r.proto, r.port), r);
      this.persistedLastSeen.set(key(r.ip, r.proto, r.port), r.last_seen);
      this.portsOf(r.ip).add(r.port);
    }
    for (const id of alertIds) {
      this.knownAlerts.add(id);
      if (id.startsWith('syn_proxy_host|')) this.flagged.add(id.split('|')[1]);
    }
  }

  setLearningUntil(ms: number): void {
    this.learningUntil = ms;
  }

  state(ip: string, proto: string, port: number): StateRow | undefined {
    return this.states.get(key(ip, proto, port));
  }

  /** Whether an address is tracked (inside the home networks). */
  tracked(ip: string): boolean {
    return inAny(ip, this.policy.homeNetworks);
  }

  apply(obs: Observation[], now: number): Changes {
    const changed = new Map<string, StateRow>();
    const alerts: AlertRow[] = [];
    const alert = (a: Omit<AlertRow, 'day'>): void => {
      if (this.knownAlerts.has(a.alert_id)) return;
      this.knownAlerts.add(a.alert_id);
      alerts.push({ day: day(a.ts), ...a });
    };
    for (const o of obs) {
      if (!this.tracked(o.ip)) continue;
      const k = key(o.ip, o.proto, o.port);
      const cur = this.states.get(k);
      const outside = !inAny(o.sample_client, this.policy.homeNetworks);
      const sev = severity(o.port, this.policy.highRiskPorts, outside);
      let next: StateRow;
      if (!cur) {
        const ports = this.portsOf(o.ip);
        ports.add(o.port);
        if (ports.size > this.policy.synProxyPorts && !this.flagged.has(o.ip)) {
          this.flagged.add(o.ip);
          alert({
            alert_id: `syn_proxy_host|${o.ip}`,
            ts: now,
            kind: 'syn_proxy_host',
            severity: 'medium',
            ip: o.ip,
            proto: o.proto,
            port: 0,
            message: `${o.ip} answers SYN+ACK on more than ${this.policy.synProxyPorts} ports (SYN proxy or tarpit?); its ports are not alerted one by one`,
            details: JSON.stringify({ ports: ports.size }),
          });
        }
        const reason =
          now < this.learningUntil
            ? 'learning'
            : this.policy.expected.some((e) => e.port === o.port && inCidr(o.ip, e.net))
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
        if (reason === 'alerted') {
          alert({
            alert_id: `new_service|${k}`,
            ts: now,
            kind: 'new_service',
            severity: sev,
            ip: o.ip,
            proto: o.proto,
            port: o.port,
            message: `new service ${fmt(o.ip, o.port)}/${o.proto}: ${o.handshakes} handshake(s), ${o.clients} client(s), evidence ${o.evidence}${outside ? ', clients from outside the home networks' : ''}`,
            details: JSON.stringify({
              first_seen: o.first_seen,
              sensor: o.sensor,
              sample_client: o.sample_client,
              evidence: o.evidence,
              ttl: o.ttl,
              mss: o.mss,
            }),
          });
        }
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
          if (!this.flagged.has(o.ip)) {
            alert({
              alert_id: `reopened_service|${k}|${cur.since}`,
              ts: now,
              kind: 'reopened_service',
              severity: sev,
              ip: o.ip,
              proto: o.proto,
              port: o.port,
              message: `service ${fmt(o.ip, o.port)}/${o.proto} is accepting connections again after being stale since ${new Date(cur.since).toISOString()}`,
              details: JSON.stringify({ stale_since: cur.since, sensor: o.sensor, sample_client: o.sample_client }),
            });
          }
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

function fmt(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
