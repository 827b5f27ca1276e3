// The service inventory as `porthole services` and `porthole host` show it (and an HTTP API
// would): services aggregated from the raw Observations, joined with each endpoint's stored
// state and latest verification, and the derived states. Read-only; the CLI only parses
// arguments and prints what these return.
// Derived state: a stored `new` endpoint shows as `verifying` while its latest verification is
// pending and `active` once verified (whatever the verdict); an endpoint without a stored state
// (outside policy.homeNetworks) is `untracked`.

import { endpointKey } from '../schemas/endpoint.js';
import type { AlertRow, StateRow } from '../schemas/tables.js';
import { type Cidr, cidrRangeHex } from './policy.js';
import {
  alertRows,
  type HistoryRow,
  latestVerifications,
  loadStates,
  observationHistory,
  type ServiceRow,
  serviceRows,
  type Verification,
  verificationHistory,
} from './store/queries.js';
import type { Store } from './store/store.js';

export type { HistoryRow, ServiceRow, Verification };

export interface InventoryRow extends ServiceRow {
  state: string;
  state_since: number | null;
  verification: Verification | null;
}

export interface ServicesFilter {
  /** only addresses in this network */
  net?: Cidr;
  port?: number;
  /** only endpoints first seen at or after this time (ms since the epoch) */
  newSince?: number;
}

export interface HostView {
  ip: string;
  services: InventoryRow[];
  history: HistoryRow[];
  verifications: Array<Verification & { port: number; proto: string }>;
  alerts: AlertRow[];
}

/** The state shown for an endpoint: the stored one, with `verifying`/`active` derived from verification. */
export function shownState(stored: StateRow | undefined, latest: Verification | null): string {
  const state = stored?.state ?? 'untracked';
  if (state === 'new' && latest) return latest.status === 'pending' ? 'verifying' : 'active';
  return state;
}

async function inventory(s: Store, filter: { ip?: string; net?: [string, string]; port?: number }) {
  const [rows, states, ver] = await Promise.all([
    serviceRows(s, filter),
    loadStates(s),
    latestVerifications(s, filter.ip),
  ]);
  const st = new Map(states.map((r) => [endpointKey(r), r]));
  return rows.map((r): InventoryRow => {
    const k = endpointKey(r);
    const stored = st.get(k);
    const v = ver.get(k) ?? null;
    return { ...r, state: shownState(stored, v), state_since: stored?.since ?? null, verification: v };
  });
}

/** Every endpoint matching the filter, ordered by address then port. */
export async function services(s: Store, f: ServicesFilter = {}): Promise<InventoryRow[]> {
  const rows = await inventory(s, { net: f.net ? cidrRangeHex(f.net) : undefined, port: f.port });
  const since = f.newSince;
  return since === undefined ? rows : rows.filter((r) => r.first_seen >= since);
}

/** One host (canonical address): its endpoints, per-window history, verifications and alerts. */
export async function host(s: Store, ip: string): Promise<HostView> {
  const services = await inventory(s, { ip });
  const history = await observationHistory(s, ip);
  const alerts = await alertRows(s, { ip });
  const verifications = await verificationHistory(s, ip);
  return { ip, services, history, verifications, alerts };
}
