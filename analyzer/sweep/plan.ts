// Plans a period's sweep once: the sweep of a period slot is named by the slot's start (every
// sweeper computes the same name), its targets are verify.allowedNetworks' addresses
// (targets.ts), cut into fast and slow blocks by how each host answered in earlier runs
// (blocks.ts), each block published to the sweep topic, then the sweep stored in `sweeps`. A sweeper that
// finds the slot's sweep stored plans nothing. Limit: two sweepers planning the same slot at the
// same moment both publish; a block already stored is then skipped by whoever takes it second
// (run-block.ts), and one swept twice at once stores the same rows twice, which collapse.

import type { Producer } from 'kafkajs';
import type { AnalyzerConfig } from '../config.js';
import type { Store } from '../store/store.js';
import { lastHostRuns, sweepPlanned } from '../store/sweep-queries.js';
import { insertRows } from '../store/writes.js';
import { planBlocks } from './blocks.js';
import { portSetText } from './ports.js';
import { sweepTargets } from './targets.js';
import { type WorkItem, workKey } from './work.js';

/** The slot's sweep name: its start, ISO time to the second. */
export function sweepIdOf(now: number, periodMs: number): string {
  return new Date(Math.floor(now / periodMs) * periodMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const SEND_BYTES = 256 * 1024;

/** How far back hosts' earlier runs count for grouping: a few periods. */
const HISTORY_PERIODS = 4;

export async function planSweep(
  cfg: AnalyzerConfig,
  store: Store,
  producer: Producer,
  planner: string,
  now: number,
): Promise<{ sweepId: string; blocks: number; slow: number } | null> {
  const sw = cfg.sweep;
  const sweepId = sweepIdOf(now, sw.periodMs);
  if (await sweepPlanned(store, sweepId)) return null;
  const targets = sweepTargets(cfg.verify.allowed, sw.maxAddresses);
  const last = await lastHostRuns(store, now - HISTORY_PERIODS * sw.periodMs);
  const blocks = planBlocks(targets, last, sw.slowRttMs, sw.blockSize);
  const slow = blocks.filter((b) => b.group === 'slow').length;
  // sent in requests of at most SEND_BYTES, well under a broker's default message.max.bytes
  let batch: Array<{ key: string; value: string }> = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length) await producer.send({ topic: sw.topic, messages: batch });
    batch = [];
    bytes = 0;
  };
  for (const b of blocks) {
    const w: WorkItem = { sweep_id: sweepId, ...b };
    const value = JSON.stringify(w);
    if (bytes + value.length > SEND_BYTES) await flush();
    batch.push({ key: workKey(w), value });
    bytes += value.length;
  }
  await flush();
  // recorded once published: a crash in between plans the slot again (its blocks published
  // twice, each swept once)
  await insertRows(store, 'sweeps', [
    {
      sweep_id: sweepId,
      started_at: now,
      period_ms: sw.periodMs,
      addresses: targets.length,
      blocks_total: blocks.length,
      slow_blocks: slow,
      ports: portSetText(sw.ports),
      planner,
    },
  ]);
  return { sweepId, blocks: blocks.length, slow };
}
