// Live capture on one interface or several (a TAP's ports) into one sink, as a PacketSource that
// survives losing an interface: when libpcap reports a read error (the interface went down or
// disappeared) the capture is closed and reported, then either run() fails (policy "exit") or
// the interface is polled with a bounded backoff and reopened once it is up again (policy
// "wait"), feeding the same sink. pcap_stats counters are kept as totals across reopens.

import { errorMessage } from '../../common/errors.js';
import { SensorError } from '../errors.js';
import type { FrameSink } from './capture-parser.js';
import { FrameMerge } from './frame-merge.js';
import { type IfaceState, ifaceState } from './iface-state.js';
import { type LiveHandle, mayCapture, openLive, type PcapStats } from './live-source.js';
import type { PacketSource } from './packet-source.js';
import { type CaptureCounters, DropCounters } from './drop-counters.js';

export type LossPolicy = 'wait' | 'exit';
export const LOSS_POLICIES: readonly LossPolicy[] = ['wait', 'exit'];

/** How long frames of several interfaces are held to put them in capture order (frame-merge.ts). */
export const MERGE_HOLD_MS = 100;
/** Polls of a lost interface: the first after this, then twice as long each time, up to the max. */
export const WAIT_FIRST_MS = 250;
export const WAIT_MAX_MS = 5000;

export interface CaptureEvents {
  opened(iface: string, linktype: number, reopened: boolean): void;
  /** `waiting`: it will be reopened when back; else the capture ends (run() fails) */
  lost(iface: string, reason: string, waiting: boolean): void;
  /** while waiting: the interface's state changed (called once per change) */
  waiting(iface: string, state: IfaceState | 'reopen failed', detail: string | null): void;
}

export interface IfaceCapture {
  iface: string;
  state: 'capturing' | 'waiting' | 'lost';
  reason: string | null; // why it was lost
}

export interface LiveCapture extends PacketSource<null> {
  /** Each interface's state now. */
  interfaces(): IfaceCapture[];
  /** Interfaces lost since the start (each loss counted). */
  readonly losses: number;
  /** pcap_stats totals over every interface and every open of it. */
  counters(): CaptureCounters;
  /** Capture time lag of the frames delivered (the merge's hold), for a wall-clock ticker. */
  readonly lagMs: number;
}

interface Slot {
  iface: string;
  handle: LiveHandle | null;
  state: IfaceCapture['state'];
  reason: string | null;
  timer: NodeJS.Timeout | null;
  delayMs: number;
  seen: string | null; // last state reported while waiting
}

/** Open every interface now (start-up errors throw); frames flow from run() on. */
export function openLiveCapture(opts: {
  ifaces: readonly string[];
  filterFor: (ethernet: boolean) => string;
  bufferBytes: number;
  onLoss: LossPolicy;
  events: CaptureEvents;
}): LiveCapture {
  const { events } = opts;
  const open = (iface: string): LiveHandle => openLive(iface, opts.filterFor, opts.bufferBytes);
  const slots: Slot[] = [];
  try {
    for (const iface of opts.ifaces) {
      const handle = open(iface);
      slots.push({ iface, handle, state: 'capturing', reason: null, timer: null, delayMs: 0, seen: null });
      events.opened(iface, handle.linktype, false);
    }
  } catch (err) {
    for (const s of slots) s.handle?.close();
    throw err;
  }
  const drops = new DropCounters(slots.length);
  let losses = 0;
  let stopped = false;
  let sink: FrameSink | null = null;
  let merge: FrameMerge | null = null;
  let mergeTimer: NodeJS.Timeout | null = null;
  let finish: ((err: Error | null) => void) | null = null;
  const ended = new Promise<null>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve(null));
  });

  const read = (i: number): PcapStats | null => slots[i].handle?.stats() ?? null;
  const start = (i: number): void => {
    const s = slots[i];
    s.handle!.start(merge ? merge.input(i) : sink!, (reason) => lose(i, reason));
  };
  const close = (i: number): void => {
    const s = slots[i];
    if (!s.handle) return;
    drops.update(i, read(i)); // the last counts of this open
    drops.reopened(i);
    s.handle.close();
    s.handle = null;
  };

  function lose(i: number, reason: string): void {
    const s = slots[i];
    if (stopped || s.state !== 'capturing') return;
    close(i);
    merge?.setActive(i, false);
    losses++;
    // waiting is pointless once the process may no longer open a capture (root given up)
    const canReopen = mayCapture();
    const wait = opts.onLoss === 'wait' && canReopen;
    s.reason = reason;
    s.state = wait ? 'waiting' : 'lost';
    events.lost(s.iface, reason, wait);
    if (!wait) {
      const why =
        opts.onLoss === 'wait'
          ? '; it cannot be reopened without CAP_NET_RAW (the sensor gave up root after opening; run it with the capabilities, as deploy/systemd does)'
          : '';
      end(new SensorError('CAPTURE_LOST', `capture lost on ${s.iface}: ${reason}${why}`));
      return;
    }
    s.delayMs = WAIT_FIRST_MS;
    s.seen = null;
    s.timer = setTimeout(() => poll(i), s.delayMs);
  }

  function poll(i: number): void {
    const s = slots[i];
    s.timer = null;
    if (stopped) return;
    const state = ifaceState(s.iface);
    let seen: IfaceState | 'reopen failed' = state;
    let detail: string | null = null;
    if (state === 'up') {
      try {
        s.handle = open(s.iface);
        s.state = 'capturing';
        s.reason = null;
        merge?.setActive(i, true);
        events.opened(s.iface, s.handle.linktype, true);
        start(i);
        return;
      } catch (err) {
        seen = 'reopen failed';
        detail = errorMessage(err);
      }
    }
    const key = detail === null ? seen : `${seen}: ${detail}`;
    if (key !== s.seen) events.waiting(s.iface, seen, detail);
    s.seen = key;
    s.delayMs = Math.min(s.delayMs * 2, WAIT_MAX_MS);
    s.timer = setTimeout(() => poll(i), s.delayMs);
  }

  function end(err: Error | null): void {
    if (stopped) return;
    stopped = true;
    for (let i = 0; i < slots.length; i++) {
      const t = slots[i].timer;
      if (t) clearTimeout(t);
      slots[i].timer = null;
      close(i);
    }
    if (mergeTimer) clearInterval(mergeTimer);
    merge?.flushAll();
    finish?.(err);
  }

  return {
    name: opts.ifaces.map((i) => `iface:${i}`).join(','),
    live: true,
    lagMs: slots.length > 1 ? MERGE_HOLD_MS : 0,
    get losses() {
      return losses;
    },
    run(frameSink) {
      sink = frameSink;
      if (slots.length > 1) {
        merge = new FrameMerge(slots.length, MERGE_HOLD_MS, frameSink);
        mergeTimer = setInterval(() => merge!.flushDue(Date.now()), MERGE_HOLD_MS / 2);
      }
      for (let i = 0; i < slots.length; i++) if (slots[i].handle) start(i);
      return ended;
    },
    stop() {
      end(null);
    },
    interfaces() {
      return slots.map((s) => ({ iface: s.iface, state: s.state, reason: s.reason }));
    },
    counters() {
      for (let i = 0; i < slots.length; i++) drops.update(i, read(i));
      return drops.totals();
    },
  };
}
