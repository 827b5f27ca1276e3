// Memory over time: every few seconds, VmRSS from /proc of each running process by role (the
// pid may change as processes are killed and restarted), and the growth of each incarnation
// after its warm-up as a least-squares slope in MB per minute. Pure except sample().

import { readFileSync } from 'node:fs';

export interface RssSample {
  t: number;
  role: string;
  pid: number;
  mb: number;
}

export interface RssTrend {
  role: string;
  pid: number;
  /** minutes of samples after warm-up */
  minutes: number;
  firstMb: number;
  lastMb: number;
  peakMb: number;
  slopeMbPerMin: number;
}

export function rssMb(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** Samples every `everyMs` the pids `pids()` names until stop() is called. */
export function sampleRss(pids: () => Array<[string, number | null]>, everyMs: number, out: RssSample[]): () => void {
  const take = (): void => {
    const t = Date.now();
    for (const [role, pid] of pids()) {
      if (pid === null) continue;
      const mb = rssMb(pid);
      if (mb !== null) out.push({ t, role, pid, mb });
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return () => clearInterval(timer);
}

/** Per incarnation (role and pid) with at least `minMinutes` of samples after `warmupMs`. */
export function rssTrends(samples: RssSample[], warmupMs: number, minMinutes: number): RssTrend[] {
  const by = new Map<string, RssSample[]>();
  for (const s of samples) {
    const k = `${s.role}/${s.pid}`;
    if (!by.has(k)) by.set(k, []);
    by.get(k)!.push(s);
  }
  const out: RssTrend[] = [];
  for (const list of by.values()) {
    const after = list.filter((s) => s.t >= list[0].t + warmupMs);
    if (after.length < 3) continue;
    const minutes = (after[after.length - 1].t - after[0].t) / 60_000;
    if (minutes < minMinutes) continue;
    const xs = after.map((s) => (s.t - after[0].t) / 60_000);
    const ys = after.map((s) => s.mb);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < xs.length; i++) {
      num += (xs[i] - mx) * (ys[i] - my);
      den += (xs[i] - mx) ** 2;
    }
    out.push({
      role: list[0].role,
      pid: list[0].pid,
      minutes: Math.round(minutes * 10) / 10,
      firstMb: ys[0],
      lastMb: ys[ys.length - 1],
      peakMb: Math.max(...list.map((s) => s.mb)),
      slopeMbPerMin: den ? Math.round((num / den) * 100) / 100 : 0,
    });
  }
  return out;
}
