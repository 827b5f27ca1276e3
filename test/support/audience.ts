// A capture whose audience is known: one server port (192.0.2.50:443), 30 internal and 200
// internet client addresses over three 5-second windows (overlapping, every client in at least
// one window, each connecting twice, zones interleaved so the first distinct clients are known).

import { eth, etherTypeOf, pcapFile } from './frames.js';
import { conversation, ipOf, type Seg } from './scenarios.js';

export const WINDOW_MS = 5000;
export const SERVER = { ip: '192.0.2.50', port: 443 };
export const INTERNAL = Array.from({ length: 30 }, (_, i) => `10.20.${i >> 3}.${1 + (i & 7)}`);
export const INTERNET = Array.from({ length: 200 }, (_, i) =>
  i < 100 ? `198.51.100.${i + 1}` : `203.0.113.${i - 99}`,
);
/** Which clients connect in each window. */
export const WINDOWS = [
  { internal: INTERNAL.slice(0, 15), internet: INTERNET.slice(0, 80) },
  { internal: INTERNAL.slice(10, 25), internet: INTERNET.slice(60, 160) },
  {
    internal: [...INTERNAL.slice(20, 30), ...INTERNAL.slice(0, 5)],
    internet: [...INTERNET.slice(140), ...INTERNET.slice(0, 20)],
  },
];

/** A window's clients in the order they first connect. */
export function clientOrder(w: (typeof WINDOWS)[number]): string[] {
  return w.internet.flatMap((c, i) => (i < w.internal.length ? [w.internal[i], c] : [c]));
}

/** The capture, its first window starting at `t0` (a multiple of WINDOW_MS). */
export function audienceCapture(t0: number): Buffer {
  const segs: Seg[] = [];
  let port = 20000;
  WINDOWS.forEach((w, k) => {
    const clients = clientOrder(w);
    [...clients, ...clients].forEach((c, i) => {
      segs.push(...conversation(c, SERVER.ip, port++, SERVER.port, t0 + k * WINDOW_MS + 100 + i * 5, 'open'));
    });
  });
  segs.sort((a, b) => a.ts - b.ts);
  return pcapFile(
    segs.map((s) => ({ ts: s.ts, data: eth(etherTypeOf(ipOf(s)), ipOf(s)) })),
    { linktype: 1 },
  );
}
