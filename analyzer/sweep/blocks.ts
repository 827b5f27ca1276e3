// A sweep cut into work items: address blocks of at most sweep.blockSize, one family each, the
// hosts slow in earlier runs (timed out, or a round-trip time at or above sweep.slowRtt) in
// blocks of their own with the longer host timeout, so one slow host never holds a group of fast
// ones. Block numbers run from 0, fast blocks first. Pure.

export type Group = 'fast' | 'slow';

export interface Block {
  block: number;
  group: Group;
  addresses: string[];
}

/** How a host answered in its last sweep (store/sweep-queries.ts lastHostRuns). */
export interface HostRun {
  state: string; // up | timeout
  rttUs: number;
}

/** Slow: timed out, or answered at or above `slowRttMs` in its last run. */
export function isSlow(r: HostRun, slowRttMs: number): boolean {
  return r.state === 'timeout' || r.rttUs >= slowRttMs * 1000;
}

export function planBlocks(
  targets: readonly string[],
  last: ReadonlyMap<string, HostRun>,
  slowRttMs: number,
  blockSize: number,
): Block[] {
  const groups: Record<Group, string[][]> = { fast: [[], []], slow: [[], []] };
  for (const ip of targets) {
    const r = last.get(ip);
    groups[r && isSlow(r, slowRttMs) ? 'slow' : 'fast'][ip.includes(':') ? 1 : 0].push(ip);
  }
  const out: Block[] = [];
  for (const group of ['fast', 'slow'] as const)
    for (const family of groups[group])
      for (let i = 0; i < family.length; i += blockSize)
        out.push({ block: out.length, group, addresses: family.slice(i, i + blockSize) });
  return out;
}
