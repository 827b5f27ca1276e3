// Synthetic Observations with a known truth, and a producer that keeps retrying through broker
// outages (like a sensor would), for the analyzer's integration tests.

import type { Producer } from 'kafkajs';
import { HLL_REGISTERS, hllAdd, hllHash } from '../../common/hll.js';
import { OBSERVATION_VERSION, type Observation } from '../../schemas/observation.js';

/** An Observation; unless given, its clients are all on the internet, the sample client first. */
export function observation(p: Partial<Observation> & { ip: string; port: number; window_start: number }): Observation {
  const clients = p.clients ?? 2;
  const sample = p.sample_client ?? '198.51.100.1';
  return {
    v: OBSERVATION_VERSION,
    sensor: 'test-sensor',
    proto: 'tcp',
    first_seen: p.window_start + 10,
    last_seen: p.window_start + 900,
    handshakes: 3,
    clients,
    sample_client: sample,
    evidence: 'handshake',
    vlan: null,
    ttl: 64,
    tcp_window: 65160,
    mss: 1460,
    clients_internal: 0,
    clients_internet: clients,
    sample_clients: [sample],
    hll_internal: [],
    hll_internet: sketchOf(clients),
    loss_checked: null,
    loss_missed: null,
    sampling_rate: null,
    ...p,
  };
}

/** The sketch of `n` distinct client ids (empty for none). */
function sketchOf(n: number): number[] {
  if (n === 0) return [];
  const regs = new Uint8Array(HLL_REGISTERS);
  for (let i = 1; i <= n; i++) hllAdd(regs, 0, hllHash(i));
  return Array.from(regs);
}

export interface Truth {
  first_seen: number;
  last_seen: number;
  handshakes: number;
  clients: number;
}

/**
 * The inventory a set of Observations must produce: duplicates by key counted once, and several
 * sensors' Observations of an endpoint's window once, with the highest count of any of them.
 */
export function truthOf(obs: Observation[]): Map<string, Truth> {
  const highest = new Map<string, number>();
  const t = new Map<string, Truth>();
  for (const o of obs) {
    const k = `${o.ip}|${o.proto}|${o.port}|${o.window_start}`;
    const before = highest.get(k) ?? 0;
    highest.set(k, Math.max(before, o.handshakes));
    const e = `${o.ip}|${o.port}`;
    const cur = t.get(e) ?? { first_seen: o.first_seen, last_seen: o.last_seen, handshakes: 0, clients: o.clients };
    cur.first_seen = Math.min(cur.first_seen, o.first_seen);
    cur.last_seen = Math.max(cur.last_seen, o.last_seen);
    cur.handshakes += Math.max(0, o.handshakes - before);
    cur.clients = Math.max(cur.clients, o.clients);
    t.set(e, cur);
  }
  return t;
}

/** Inventory rows (porthole services --json) in the same shape as truthOf(). */
export function inventoryOf(rows: Array<Record<string, unknown>>): Map<string, Truth> {
  return new Map(
    rows.map((r) => [
      `${r.ip}|${r.port}`,
      {
        first_seen: r.first_seen as number,
        last_seen: r.last_seen as number,
        handshakes: r.handshakes as number,
        clients: r.clients as number,
      },
    ]),
  );
}

/** Send, retrying until Kafka takes it (bounded by `deadline`). */
export async function sendRetrying(
  producer: Producer,
  topic: string,
  msgs: Array<{ key: string; value: string }>,
  deadline: number,
): Promise<void> {
  for (;;) {
    try {
      await producer.send({ topic, acks: -1, messages: msgs });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
