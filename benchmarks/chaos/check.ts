// The soak's verdict on what Porthole stored, against the truth: every endpoint with a sure
// exposure is in the inventory and nothing else but uncertain ones is; each endpoint has one
// exposure alert (new or reopened) per exposure seen — at least its sure ones, at most with its
// uncertain ones too — and every stored alert was delivered on Kafka; the real servers are
// verified. Deliveries repeated on Kafka are counted, not failed: a crash between a delivery
// and its record repeats it, as docs/analyzer.md says. Pure.

import type { AlertRow, InventoryRow } from './queries.js';
import type { EndpointTruth } from './truth.js';

export interface Verdict {
  endpoints: { sure: number; uncertain: number; uncertainFound: number; neverOffered: number };
  missing: string[];
  phantom: string[];
  alerts: {
    stored: number;
    byKind: Record<string, number>;
    tooFew: string[];
    tooMany: string[];
    storedTwice: number;
    deliveredTwice: string[];
    undelivered: string[];
  };
  verification: { byStatus: Record<string, number>; unverifiedReal: string[] };
}

const key = (e: { ip: string; port: number }): string => `${e.ip}:${e.port}`;
const EXPOSURE_KINDS = new Set(['new_service', 'reopened_service']);

export function judge(
  truth: EndpointTruth[],
  inv: InventoryRow[],
  alerts: AlertRow[],
  delivered: Map<string, number>,
  realKeys: Set<string>,
): Verdict {
  const have = new Map(inv.map((r) => [key(r), r]));
  const want = new Map(truth.map((t) => [key(t), t]));
  const byKind: Record<string, number> = {};
  const exposureAlerts = new Map<string, string[]>();
  for (const a of alerts) {
    byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
    if (EXPOSURE_KINDS.has(a.kind)) exposureAlerts.set(key(a), [...(exposureAlerts.get(key(a)) ?? []), a.kind]);
  }
  const v: Verdict = {
    endpoints: { sure: 0, uncertain: 0, uncertainFound: 0, neverOffered: 0 },
    missing: [],
    phantom: [],
    alerts: {
      stored: alerts.length,
      byKind,
      tooFew: [],
      tooMany: [],
      storedTwice: alerts.filter((a) => a.copies > 1).length,
      deliveredTwice: [...delivered].filter(([, n]) => n > 1).map(([id]) => id),
      undelivered: alerts.filter((a) => !delivered.has(a.alert_id)).map((a) => a.alert_id),
    },
    verification: { byStatus: {}, unverifiedReal: [] },
  };
  for (const t of truth) {
    const k = key(t);
    if (t.sure > 0) {
      v.endpoints.sure++;
      if (!have.has(k)) v.missing.push(k);
    } else if (t.uncertain > 0) {
      v.endpoints.uncertain++;
      if (have.has(k)) v.endpoints.uncertainFound++;
    } else {
      v.endpoints.neverOffered++;
      if (have.has(k)) v.phantom.push(k);
    }
    const kinds = exposureAlerts.get(k) ?? [];
    const n = kinds.length;
    if (n < t.sure) v.alerts.tooFew.push(`${k} (${n} alerts, ${t.sure} sure exposures)`);
    if (n > t.sure + t.uncertain)
      v.alerts.tooMany.push(`${k} (${kinds.sort().join(', ')}; ${t.sure} sure + ${t.uncertain} uncertain exposures)`);
  }
  for (const r of inv) {
    if (!want.has(key(r))) v.phantom.push(key(r));
    const s = r.verification?.status ?? 'none';
    v.verification.byStatus[s] = (v.verification.byStatus[s] ?? 0) + 1;
    if (realKeys.has(key(r)) && (s === 'none' || s === 'pending')) v.verification.unverifiedReal.push(key(r));
  }
  return v;
}

/** The failures of a verdict, one line each (empty: the soak passed on correctness). */
export function failures(v: Verdict): string[] {
  const out: string[] = [];
  const list = (what: string, l: string[]): void => {
    if (l.length) out.push(`${what}: ${l.length} (${l.slice(0, 5).join(', ')}${l.length > 5 ? ', …' : ''})`);
  };
  list('missing from the inventory', v.missing);
  list('in the inventory but never offered', v.phantom);
  list('exposures without their alert', v.alerts.tooFew);
  list('more alerts than exposures', v.alerts.tooMany);
  list('alerts stored but not delivered on Kafka', v.alerts.undelivered);
  list('real servers not verified', v.verification.unverifiedReal);
  return out;
}
