// Several sensors' Observations of one endpoint's window count once, with the highest count any
// of them reported: each row is told what of it was already counted, from what was stored before
// (held in memory, or read from the store for windows older than what the memory covers) and the
// rows before it in its batch.

import { describe, expect, it } from 'vitest';
import { type Countable, type CountKey, type StoredCounts, WindowCounts } from '../../analyzer/window-counts.js';

const T0 = 1_000_000_000_000;
const row = (
  sensor: string,
  handshakes: number,
  window_start = T0,
  ip = '192.0.2.1',
): Countable & { sensor: string } => ({
  sensor,
  ip,
  proto: 'tcp',
  port: 443,
  window_start,
  kafka_partition: 0,
  handshakes,
  dup_handshakes: 0,
  dup_window: 0,
});
const dups = (rows: Countable[]) => rows.map((r) => [r.dup_handshakes, r.dup_window]);
/** A store holding these highest counts, its newest window `newest` (the calls it had counted). */
function storeOf(held: Array<CountKey & { highest: number }>, newest = Number.MAX_SAFE_INTEGER) {
  const calls = { highest: [] as CountKey[][], newest: 0 };
  const s: StoredCounts = {
    highest: async (keys) => {
      calls.highest.push(keys);
      return held.filter((h) =>
        keys.some((k) => k.ip === h.ip && k.port === h.port && k.window_start === h.window_start),
      );
    },
    newestWindow: async () => {
      calls.newest++;
      return newest;
    },
  };
  return { s, calls };
}
const none = storeOf([]).s;

describe('window counts', () => {
  it('counts a window once, with the highest count, within a batch and across batches', async () => {
    const c = new WindowCounts(60_000, 100);
    const first = [row('a', 5), row('b', 3), row('c', 7), row('a', 2, T0 + 5000)];
    await c.load(first, none, T0 + 10_000);
    c.count(first);
    expect(dups(first)).toEqual([
      [0, 0],
      [3, 1],
      [5, 1],
      [0, 0],
    ]);
    expect(first.reduce((n, r) => n + r.handshakes - r.dup_handshakes, 0)).toBe(7 + 2);
    c.count(first); // nothing is remembered until it is stored
    expect(dups(first)[1]).toEqual([3, 1]);
    c.stored(first, T0 + 10_000);
    const later = [row('d', 9), row('b', 2, T0 + 5000)];
    c.count(later);
    expect(dups(later)).toEqual([
      [7, 1],
      [2, 1],
    ]);
  });

  it('reads the store for windows older than what it holds, no newer than the newest stored, and only those', async () => {
    const key = (w: number) => ({ ip: '192.0.2.1', proto: 'tcp', port: 443, window_start: w });
    const { s, calls } = storeOf([{ ...key(T0 - 600_000), highest: 4 }], T0 - 600_000);
    // started (or reassigned its partitions) at T0: windows from before may be stored already
    const c = new WindowCounts(60_000, 100);
    const rows = [
      row('b', 6, T0 - 600_000),
      row('b', 1, T0 - 700_000),
      row('b', 3, T0 - 300_000),
      row('b', 3, T0 + 5000),
    ];
    await c.load(rows, s, T0 + 10_000);
    // the live window is held; the one after the newest stored cannot have been stored
    expect(
      calls.highest.map((ks) => ks.map(({ ip, proto, port, window_start }) => ({ ip, proto, port, window_start }))),
    ).toEqual([[key(T0 - 600_000), key(T0 - 700_000)]]);
    expect(calls.newest).toBe(1);
    c.count(rows);
    expect(dups(rows)).toEqual([
      [4, 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    c.stored(rows, T0 + 10_000);
    await c.load([row('c', 6, T0 - 600_000), row('c', 1, T0 - 700_000), row('c', 1, T0 - 300_000)], s, T0 + 20_000);
    expect(calls.highest).toHaveLength(1); // held now
    expect(calls.newest).toBe(1); // read once per partition
    // forgotten (partitions reassigned): read again
    c.forget();
    await c.load([row('c', 6, T0 - 600_000)], s, T0 + 30_000);
    expect([calls.highest.length, calls.newest]).toEqual([2, 2]);
  });

  it('after a handover, reads the windows the previous owner stored, however recent', async () => {
    // the previous owner stored sensor a's Observation of the live window a moment ago, and died
    // before committing it: the new owner gets sensor b's Observation of the same window
    const key = { ip: '192.0.2.1', proto: 'tcp', port: 443, window_start: T0 };
    const { s, calls } = storeOf([{ ...key, highest: 1 }], T0);
    for (const c of [
      new WindowCounts(60_000, 100),
      (() => {
        const w = new WindowCounts(60_000, 100);
        w.forget();
        return w;
      })(),
    ]) {
      const rows = [row('b', 1, T0), row('b', 2, T0 + 1000)];
      await c.load(rows, s, T0 + 3000);
      c.count(rows);
      expect(dups(rows)).toEqual([
        [1, 1],
        [0, 0],
      ]);
    }
    expect(calls.highest.map((ks) => ks.map((k) => k.window_start))).toEqual([[T0], [T0]]);
  });

  it('past its horizon, windows of the time it no longer covers are read from the store', async () => {
    const { s: store, calls } = storeOf([]);
    const c = new WindowCounts(60_000, 100);
    c.stored([row('a', 5, T0 + 1000)], T0 + 2000);
    // a live window (started after the memory covers from): no read
    await c.load([row('b', 5, T0 + 1000)], store, T0 + 30_000);
    expect(calls.highest).toHaveLength(0);
    // two horizons later the first window is forgotten: a late sensor's Observation of it is read
    c.stored([row('a', 1, T0 + 150_000)], T0 + 150_000);
    await c.load([row('b', 5, T0 + 1000)], store, T0 + 150_000);
    expect(calls.highest).toHaveLength(1);
    await c.load([row('b', 5, T0 + 149_000)], store, T0 + 150_000);
    expect(calls.highest).toHaveLength(1);
  });

  it('keeps the newest window stored before what it holds as its buckets drop', async () => {
    const { s: store, calls } = storeOf([], T0 - 600_000);
    const c = new WindowCounts(60_000, 100);
    // a backlog after a restart: windows newer than any stored before need no read
    await c.load([row('a', 5, T0 - 300_000)], store, T0 + 1000);
    expect([calls.newest, calls.highest.length]).toEqual([1, 0]);
    c.stored([row('a', 5, T0 - 300_000)], T0 + 1000);
    // its bucket drops: that window is now among those stored before what the memory holds
    c.stored([row('a', 1, T0 + 100_000)], T0 + 100_000);
    await c.load([row('b', 5, T0 - 300_000), row('b', 5, T0 - 200_000)], store, T0 + 100_000);
    expect(calls.highest.map((ks) => ks.map((k) => k.window_start))).toEqual([[T0 - 300_000]]);
    expect(calls.newest).toBe(1);
  });

  it('holds at most maxKeys, the oldest going first', () => {
    const c = new WindowCounts(60_000, 10);
    for (let i = 0; i < 4; i++)
      c.stored(
        Array.from({ length: 5 }, (_, j) => row('a', 1, T0 + i * 10_000 + j)),
        T0 + i * 10_000,
      );
    expect(c.held).toBe(10);
  });
});
