// The port set of a sweep (sweep.ports): every port, nmap's N most common ones, or a list of
// ports and ranges. Parsed once at start-up; `portArgs` is its only form on nmap's command line,
// `sweptPort` says whether a port was in it (for top-N, nmap's own list decides: unknown here,
// so every port counts as swept). Pure.

export type PortSet = { kind: 'all' } | { kind: 'top'; n: number } | { kind: 'list'; ranges: Array<[number, number]> };

const port = (s: string): number | null => (/^\d{1,5}$/.test(s) && +s >= 1 && +s <= 65535 ? +s : null);

/** "all", "top-N" (1..65535) or "22,80,8000-8100"; what is wrong otherwise. */
export function parsePortSet(text: string): PortSet | { error: string } {
  const t = text.trim();
  if (t === 'all') return { kind: 'all' };
  const top = /^top-(\d+)$/.exec(t);
  if (top) {
    const n = Number(top[1]);
    return n >= 1 && n <= 65535 ? { kind: 'top', n } : { error: 'top-N needs N in 1..65535' };
  }
  const ranges: Array<[number, number]> = [];
  for (const part of t.split(',')) {
    const [a, b, extra] = part.trim().split('-');
    const lo = port(a);
    const hi = b === undefined ? lo : port(b);
    if (extra !== undefined || lo === null || hi === null || hi < lo)
      return { error: `not all, top-N or a list of ports and ranges (1..65535): ${JSON.stringify(part.trim())}` };
    ranges.push([lo, hi]);
  }
  return { kind: 'list', ranges };
}

/** nmap's arguments for the set. */
export function portArgs(p: PortSet): string[] {
  if (p.kind === 'all') return ['-p-'];
  if (p.kind === 'top') return ['--top-ports', String(p.n)];
  return ['-p', p.ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(',')];
}

/** Whether a sweep over the set looked at the port (top-N: assumed, nmap's table decides). */
export function sweptPort(p: PortSet, n: number): boolean {
  return p.kind !== 'list' || p.ranges.some(([lo, hi]) => n >= lo && n <= hi);
}

export function portSetText(p: PortSet): string {
  return p.kind === 'all' ? 'all' : p.kind === 'top' ? `top-${p.n}` : portArgs(p)[1];
}
