// The soak's result judged and told: the failures (correctness, crashes, counters) as one line
// each, the memory trends as warnings, and a readable summary. Pure.

import { failures } from './check.js';
import type { SoakResult } from './types.js';

/** Everything that makes the soak fail, one line each; empty when it passed. */
export function soakFailures(r: SoakResult): string[] {
  const out = failures(r.verdict);
  for (const e of r.exits) {
    if (e.killedWith === null && e.exit)
      out.push(`${e.role} (pid ${e.pid}) exited by itself: ${JSON.stringify(e.exit)}`);
    if (e.killedWith === 'SIGTERM' && e.exit && e.exit.code !== 0)
      out.push(`${e.role} (pid ${e.pid}) stopped by SIGTERM with ${JSON.stringify(e.exit)}`);
    if (e.crashLines.length) out.push(`${e.role} (pid ${e.pid}) printed: ${e.crashLines.slice(0, 3).join(' | ')}`);
    for (const [k, n] of Object.entries(e.problems))
      if (k.startsWith('fatal')) out.push(`${e.role} (pid ${e.pid}) logged ${n}× ${k}`);
  }
  for (const c of r.counters) {
    if (!c.consistent)
      out.push(`sensor ${c.pid} counted ${c.packets} packets, more than the ${c.offered} offered while it counted`);
    if (c.droppedBeforeKafka > 0) out.push(`sensor ${c.pid} dropped ${c.droppedBeforeKafka} Observations before Kafka`);
  }
  for (const f of r.faults) if (f.error) out.push(`fault ${f.fault} did not recover: ${f.error}`);
  if (!r.drained) out.push('the analyzer did not catch up with the Observations topic in time');
  return out;
}

/** Incarnations whose RSS grew faster than `mbPerMin` after warm-up over at least `minutes`. */
export function memoryWarnings(r: SoakResult, mbPerMin: number, minutes: number): string[] {
  return r.rss
    .filter((t) => t.minutes >= minutes && t.slopeMbPerMin > mbPerMin)
    .map((t) => `${t.role} ${t.pid}: ${t.firstMb} → ${t.lastMb} MB over ${t.minutes} min (${t.slopeMbPerMin} MB/min)`);
}

export function summary(r: SoakResult): string {
  const v = r.verdict;
  const faults = new Map<string, number>();
  for (const f of r.faults) faults.set(f.fault, (faults.get(f.fault) ?? 0) + 1);
  const byRole = new Map<string, { n: number; peak: number; slopes: number[] }>();
  for (const t of r.rss) {
    const b = byRole.get(t.role) ?? { n: 0, peak: 0, slopes: [] };
    b.n++;
    b.peak = Math.max(b.peak, t.peakMb);
    b.slopes.push(t.slopeMbPerMin);
    byRole.set(t.role, b);
  }
  const fails = soakFailures(r);
  const loss = r.counters.map((c) => c.loss).filter((x): x is number => x !== null);
  const lines = [
    `chaos soak: ${r.minutes.toFixed(1)} min, ${r.slots.count} slots, ${r.slots.sent.toLocaleString('en-US')} packets offered (${r.slots.pps.toLocaleString('en-US')}/s while replaying), ${r.slots.matching.toLocaleString('en-US')} through the sensor's filter`,
    `faults: ${[...faults].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
    `endpoints: ${v.endpoints.sure} sure (missing ${v.missing.length}), ${v.endpoints.uncertain} every handshake in an outage (${v.endpoints.uncertainFound} found anyway), ${v.endpoints.neverOffered} never offered; phantom ${v.phantom.length}`,
    `alerts: ${v.alerts.stored} stored (${Object.entries(v.alerts.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(
        ', ',
      )}); too few ${v.alerts.tooFew.length}, too many ${v.alerts.tooMany.length}, stored twice ${v.alerts.storedTwice} (collapsed), delivered twice on Kafka ${v.alerts.deliveredTwice.length}`,
    `verification: ${Object.entries(v.verification.byStatus)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `sensor incarnations: ${r.counters.length}; capture loss per life (its count against what was offered meanwhile): ${loss.length ? `${(100 * Math.min(...loss)).toFixed(2)}% to ${(100 * Math.max(...loss)).toFixed(2)}%` : 'n/a'}`,
    `RSS after warm-up, per role (incarnations, peak MB, slope MB/min min…max): ${[...byRole]
      .map(
        ([k, b]) => `${k} ${b.n}, ${b.peak}, ${Math.min(...b.slopes).toFixed(2)}…${Math.max(...b.slopes).toFixed(2)}`,
      )
      .join('; ')}`,
    fails.length ? `FAILED:\n  ${fails.join('\n  ')}` : 'passed',
  ];
  const mem = memoryWarnings(r, 2, 2);
  if (mem.length) lines.push(`memory growing:\n  ${mem.join('\n  ')}`);
  return lines.join('\n');
}
