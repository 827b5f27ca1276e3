// Before/after benchmark of `porthole replay`: another build of Porthole (a checkout whose dist/ is
// built, e.g. main) against this one, on each capture given, run in alternated pairs (ABBA order,
// so this VM's drift between minutes falls on both) with the output to /dev/null. Reports per
// capture the medians of wall and CPU time, the median of the paired differences with their
// quartiles, the ratio, and the range of wall times.
// Limits: whole-command times (start-up and the end phase included); the two builds' outputs are
// not compared here (the golden tests do that).
// Usage: node dist/benchmarks/compare.js BASE_DIR CAPTURE... [--pairs N] [-- REPLAY_OPTIONS...]

import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const replayOpts = dash >= 0 ? argv.slice(dash + 1) : [];
const args = dash >= 0 ? argv.slice(0, dash) : argv;
const pairsAt = args.indexOf('--pairs');
const pairs = pairsAt >= 0 ? Number(args.splice(pairsAt, 2)[1]) : 20;
const [baseDir, ...captures] = args;
if (!baseDir || captures.length === 0 || !(pairs > 0)) {
  process.stderr.write('usage: compare.js BASE_DIR CAPTURE... [--pairs N] [-- REPLAY_OPTIONS...]\n');
  process.exit(2);
}

interface Run {
  wall: number; // s
  cpu: number; // user + sys, s
}

function run(dir: string, capture: string): Run {
  const out = openSync('/dev/null', 'w');
  const bin = resolve(dir, 'bin/porthole.js');
  const args = ['-f', '%e %U %S', process.execPath, bin, 'replay', '--no-progress', '--json', ...replayOpts, capture];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  if (r.status !== 0) throw new Error(`${bin} replay ${capture} failed: ${r.stderr.slice(-500)}`);
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: user + sys };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** The q-quantile by linear interpolation between the closest ranks. */
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
};
const spread = (xs: number[]): string => `quartiles ${ms(quantile(xs, 0.25))} / ${ms(quantile(xs, 0.75))}`;
const range = (rs: Run[]): string =>
  `${Math.min(...rs.map((r) => r.wall)).toFixed(2)}–${Math.max(...rs.map((r) => r.wall)).toFixed(2)} s`;
const ms = (s: number): string => `${s >= 0 ? '+' : ''}${Math.round(s * 1000)} ms`;

process.stdout.write(`base ${resolve(baseDir)}, this ${root}; ${pairs} pairs; replay ${replayOpts.join(' ')}\n`);
for (const capture of captures) {
  const base: Run[] = [];
  const mine: Run[] = [];
  for (let i = 0; i < pairs; i++) {
    // ABBA: which build runs first alternates, so a trend inside a pair cancels out
    if (i % 2 === 0) {
      base.push(run(baseDir, capture));
      mine.push(run(root, capture));
    } else {
      mine.push(run(root, capture));
      base.push(run(baseDir, capture));
    }
  }
  const dWall = mine.map((m, i) => m.wall - base[i].wall);
  const dCpu = mine.map((m, i) => m.cpu - base[i].cpu);
  const bw = median(base.map((r) => r.wall));
  const mw = median(mine.map((r) => r.wall));
  const slower = dWall.filter((d) => d > 0).length;
  process.stdout.write(
    `${basename(capture)}: wall median ${bw.toFixed(2)} → ${mw.toFixed(2)} s (ratio ${(mw / bw).toFixed(3)}), ` +
      `paired difference median ${ms(median(dWall))} (${spread(dWall)}; slower in ${slower} of ${pairs}); ` +
      `CPU median ${median(base.map((r) => r.cpu)).toFixed(2)} → ${median(mine.map((r) => r.cpu)).toFixed(2)} s, ` +
      `paired difference median ${ms(median(dCpu))} (${spread(dCpu)}); wall range ${range(base)} → ${range(mine)}\n`,
  );
}
