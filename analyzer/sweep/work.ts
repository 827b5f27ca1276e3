// A sweep's work item as it travels on the sweep topic: which sweep, which block, its group and
// addresses. Keyed `sweep_id|block` (a block always lands on one partition). A message that is
// not one is reported, never guessed at: its addresses are checked again before any scan.

import { canonicalIp } from '../../schemas/ip.js';
import type { Block } from './blocks.js';

export interface WorkItem extends Block {
  sweep_id: string;
}

export const workKey = (w: WorkItem): string => `${w.sweep_id}|${w.block}`;

export function parseWorkItem(text: string): WorkItem | null {
  let v: Partial<WorkItem>;
  try {
    v = JSON.parse(text) as Partial<WorkItem>;
  } catch {
    return null;
  }
  if (
    typeof v.sweep_id !== 'string' ||
    !v.sweep_id ||
    !Number.isInteger(v.block) ||
    (v.block as number) < 0 ||
    (v.group !== 'fast' && v.group !== 'slow') ||
    !Array.isArray(v.addresses) ||
    v.addresses.length === 0 ||
    !v.addresses.every((a) => typeof a === 'string' && canonicalIp(a) === a)
  )
    return null;
  return { sweep_id: v.sweep_id, block: v.block as number, group: v.group, addresses: v.addresses };
}
