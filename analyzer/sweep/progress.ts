// A sweep's progress as people and status messages read it, from its stored totals: blocks
// done of total, hosts up, ports found, the rate so far (addresses a second) and the expected
// finish at that rate. Pure. The rate counts the time from the plan to the last block stored,
// so a sweep waiting for a sweeper shows a falling rate and a later finish.

import type { SweepTotals } from '../store/sweep-queries.js';

export interface SweepProgress {
  sweep_id: string;
  state: 'running' | 'done';
  started_at: number;
  blocks_done: number;
  blocks_total: number;
  slow_blocks: number;
  blocks_failed: number;
  addresses: number;
  addresses_done: number;
  hosts_up: number;
  hosts_timed_out: number;
  ports_open: number;
  ports: string;
  /** addresses a second so far (0 before the first block) */
  rate: number;
  /** ms: when the last block was stored (done), or is expected at the rate so far (null: unknown yet) */
  finish: number | null;
}

export function sweepProgress(t: SweepTotals, now: number): SweepProgress {
  const done = t.blocks_done >= t.blocks_total;
  const end = done ? t.last_done_at : now;
  const secs = Math.max(0.001, (end - t.started_at) / 1000);
  const rate = t.addresses_done ? t.addresses_done / secs : 0;
  const left = Math.max(0, t.addresses - t.addresses_done);
  return {
    sweep_id: t.sweep_id,
    state: done ? 'done' : 'running',
    started_at: t.started_at,
    blocks_done: Math.min(t.blocks_done, t.blocks_total),
    blocks_total: t.blocks_total,
    slow_blocks: t.slow_blocks,
    blocks_failed: t.blocks_failed,
    addresses: t.addresses,
    addresses_done: t.addresses_done,
    hosts_up: t.hosts_up,
    hosts_timed_out: t.hosts_timed_out,
    ports_open: t.ports_open,
    ports: t.ports,
    rate: Math.round(rate * 100) / 100,
    finish: done ? t.last_done_at : rate > 0 ? Math.round(now + (left / rate) * 1000) : null,
  };
}
