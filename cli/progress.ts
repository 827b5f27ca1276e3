// A progress bar on stderr for long reads, shown only when stderr is a terminal. Redraws at most
// five times a second and clears itself when done.

export interface Progress {
  update(done: number, packets: number): void;
  done(): void;
}

const NONE: Progress = { update() {}, done() {} };

export function createProgress(label: string, total: number | null, enabled: boolean): Progress {
  const out = process.stderr;
  if (!enabled || !out.isTTY) return NONE;
  const start = Date.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, packets) {
      const now = Date.now();
      if (now - lastDraw < 200) return;
      lastDraw = now;
      const secs = (now - start) / 1000;
      const rate = secs > 0 ? packets / secs : 0;
      let text = `${label}: ${(packets / 1e6).toFixed(2)}M packets, ${(rate / 1e6).toFixed(2)}M/s`;
      if (total) {
        const frac = Math.min(1, done / total);
        const width = 30;
        const fill = Math.round(frac * width);
        const eta = frac > 0 ? (secs / frac) * (1 - frac) : 0;
        text = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(1)}% ${text}, ETA ${eta.toFixed(0)}s`;
      }
      out.write(`\r${text.slice(0, (out.columns || 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) out.write('\r\x1b[K');
    },
  };
}
