// Output: aligned tables, ISO times, durations, thousands separators; JSON lines.

import { DAY_MS } from '../common/time.js';

export function isoMs(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** An integer with thousands separators: 1,234,567. (Not toLocaleString: its first call loads
 * ICU data, a start-up cost every `porthole replay` would pay; see benchmarks/README.md.) */
export function num(n: number): string {
  const r = Math.round(n);
  const digits = String(Math.abs(r));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return r < 0 ? `-${out}` : out;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/**
 * Observations as JSON lines (each line what JSON.stringify gives for one). One JSON.stringify
 * of the array, its separators then turned into newlines, rather than a call per object (the
 * saving: benchmarks/README.md). `},{"v":` can only be a separator: inside a JSON string its
 * quote would be escaped, and every Observation's first key is "v".
 */
export function jsonLines(obs: ReadonlyArray<{ v: number }>): string {
  if (obs.length === 0) return '';
  return `${JSON.stringify(obs).slice(1, -1).replaceAll('},{"v":', '}\n{"v":')}\n`;
}

/** A duration for people: 45s, 12m, 3.5h, 2.1d. */
export function human(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  if (ms < DAY_MS) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${(ms / DAY_MS).toFixed(1)}d`;
}
