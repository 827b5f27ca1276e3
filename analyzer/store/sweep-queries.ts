// The sweeps' reads: whether a sweep or a block is already stored (so a sweep is planned once
// per slot and a block taken over after a crash is not swept again), how each host answered in
// its last run (fast/slow grouping), which endpoints the mirror has seen, the progress of sweeps
// and one sweep's findings. A block stored twice collapses (GROUP BY sweep_id, block before any
// sum). Every statement runs on 18.16 and current ClickHouse (no parameters, no FINAL needed).

import type { HostRun } from '../sweep/blocks.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

export async function sweepPlanned(s: Store, sweepId: string): Promise<boolean> {
  const [r] = await s.select<{ n: unknown }>(
    'sweep planned',
    `SELECT count() AS n FROM ${s.table('sweeps')} WHERE sweep_id = ${lit(sweepId)}`,
  );
  return u64(r.n) > 0;
}

export async function blockDone(s: Store, sweepId: string, block: number): Promise<boolean> {
  const [r] = await s.select<{ n: unknown }>(
    'sweep block done',
    `SELECT count() AS n FROM ${s.table('sweep_blocks')} WHERE sweep_id = ${lit(sweepId)} AND block = ${lit(block)}`,
  );
  return u64(r.n) > 0;
}

/** How each host answered in its newest run since `sinceMs`. */
export async function lastHostRuns(s: Store, sinceMs: number): Promise<Map<string, HostRun>> {
  const rows = await s.select<{ ip: string; st: string; rtt: unknown }>(
    'sweep hosts',
    `SELECT ip, argMax(state, ts) AS st, argMax(rtt_us, ts) AS rtt FROM ${s.table('sweep_hosts')}
       WHERE ts >= ${lit(sinceMs)} GROUP BY ip`,
  );
  return new Map(rows.map((r) => [r.ip, { state: r.st, rttUs: u64(r.rtt) }]));
}

/** Of these addresses' endpoints, the keys (ip|proto|port) the mirror has seen serving. */
export async function seenOnMirror(s: Store, ips: readonly string[]): Promise<Set<string>> {
  if (ips.length === 0) return new Set();
  const rows = await s.select<{ ip: string; proto: string; port: number }>(
    'endpoints seen on the mirror',
    `SELECT ip, proto, port FROM ${s.table('inventory')} WHERE ip IN (${ips.map(lit).join(', ')})
       GROUP BY ip_num, proto, port, ip HAVING sumMerge(windows) > 0`,
  );
  return new Set(rows.map((r) => `${r.ip}|${r.proto}|${Number(r.port)}`));
}

/** Which of these alert ids are stored already. */
export async function storedAlertIds(s: Store, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await s.select<{ alert_id: string }>(
    'stored alerts',
    `SELECT DISTINCT alert_id FROM ${s.table('alerts')} WHERE alert_id IN (${ids.map(lit).join(', ')})`,
  );
  return new Set(rows.map((r) => r.alert_id));
}

/** A sweep as planned, with what its stored blocks add up to. */
export interface SweepTotals {
  sweep_id: string;
  started_at: number;
  period_ms: number;
  addresses: number;
  blocks_total: number;
  slow_blocks: number;
  ports: string;
  blocks_done: number;
  addresses_done: number;
  hosts_up: number;
  hosts_timed_out: number;
  ports_open: number;
  blocks_failed: number;
  /** ms: the last block stored (0: none yet) */
  last_done_at: number;
}

/** The newest `limit` sweeps (or the one asked for), newest first. */
export async function sweepTotals(s: Store, o: { limit: number; sweepId?: string }): Promise<SweepTotals[]> {
  const only = o.sweepId === undefined ? '' : `WHERE sweep_id = ${lit(o.sweepId)}`;
  const rows = await s.select<Record<string, unknown>>(
    'sweeps',
    `SELECT sweep_id, st AS started_at, pm AS period_ms, ad AS addresses, bt AS blocks_total,
            sb AS slow_blocks, pt AS ports, bd AS blocks_done, bad AS addresses_done, hu AS hosts_up,
            ht AS hosts_timed_out, po AS ports_open, bf AS blocks_failed, ld AS last_done_at
     FROM (SELECT sweep_id, min(started_at) AS st, any(period_ms) AS pm, any(addresses) AS ad,
                  any(blocks_total) AS bt, any(slow_blocks) AS sb, any(ports) AS pt
             FROM ${s.table('sweeps')} ${only} GROUP BY sweep_id ORDER BY sweep_id DESC LIMIT ${lit(o.limit)}) AS p
     LEFT JOIN (
       SELECT sweep_id, count() AS bd, sum(n) AS bad, sum(up) AS hu, sum(tmo) AS ht, sum(po) AS po,
              countIf(err != '') AS bf, max(da) AS ld
         FROM (SELECT sweep_id, block, any(length(targets)) AS n, any(hosts_up) AS up, any(hosts_timed_out) AS tmo,
                      any(ports_open) AS po, any(error) AS err, min(done_at) AS da
                 FROM ${s.table('sweep_blocks')} ${only} GROUP BY sweep_id, block)
        GROUP BY sweep_id) AS b USING sweep_id
     ORDER BY sweep_id DESC`,
  );
  return rows.map((r) => ({
    sweep_id: r.sweep_id as string,
    started_at: u64(r.started_at),
    period_ms: u64(r.period_ms),
    addresses: u64(r.addresses),
    blocks_total: u64(r.blocks_total),
    slow_blocks: u64(r.slow_blocks),
    ports: r.ports as string,
    blocks_done: u64(r.blocks_done ?? 0),
    addresses_done: u64(r.addresses_done ?? 0),
    hosts_up: u64(r.hosts_up ?? 0),
    hosts_timed_out: u64(r.hosts_timed_out ?? 0),
    ports_open: u64(r.ports_open ?? 0),
    blocks_failed: u64(r.blocks_failed ?? 0),
    last_done_at: u64(r.last_done_at ?? 0),
  }));
}

/** One sweep's open ports and the mirror's endpoints on the addresses it swept. */
export async function sweepFindings(
  s: Store,
  sweepId: string,
): Promise<{
  open: Array<{ ip: string; proto: string; port: number; service: string }>;
  passive: Array<{ ip: string; proto: string; port: number }>;
}> {
  const open = await s.select<{ ip: string; proto: string; port: number; service: string }>(
    'sweep results',
    `SELECT ip, proto, port, any(service) AS service FROM ${s.table('sweep_results')}
       WHERE sweep_id = ${lit(sweepId)} GROUP BY ip, proto, port ORDER BY ip, port`,
  );
  const passive = await s.select<{ ip: string; proto: string; port: number }>(
    'passive endpoints of a sweep',
    `SELECT ip, proto, port FROM ${s.table('inventory')}
       WHERE ip IN (SELECT arrayJoin(targets) FROM ${s.table('sweep_blocks')} WHERE sweep_id = ${lit(sweepId)} AND error = '')
       GROUP BY ip_num, proto, port, ip HAVING sumMerge(windows) > 0 ORDER BY ip, port`,
  );
  const n = <T extends { port: unknown }>(r: T) => ({ ...r, port: Number(r.port) });
  return { open: open.map(n), passive: passive.map(n) };
}
