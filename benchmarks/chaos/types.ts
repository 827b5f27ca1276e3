// The chaos soak's options and its result (written as JSON by benchmarks/chaos.ts).

import type { Verdict } from './check.js';
import type { SensorCounters } from './counters.js';
import type { Fault, FaultEvent } from './faults.js';
import type { RssSample, RssTrend } from './rss.js';
import type { Interval } from './truth.js';

export interface SoakOptions {
  minutes: number;
  /** packets per second tcpreplay offers */
  pps: number;
  slotSeconds: number;
  /** new endpoints opened per slot */
  perSlot: number;
  faultEverySeconds: number;
  /** how long Kafka, ClickHouse or the capture interface stay away */
  holdSeconds: number;
  faults: Fault[];
  /** the run goes on past `minutes` until every fault came this many times (at most 3 × minutes) */
  minRounds: number;
  /** include the capture interface's deletion (needs a sensor that survives it) */
  ifaceLoss: boolean;
  /** the analyzer's policy.staleAfter */
  staleAfter: string;
  /** slots between an exposure's end and its reopening (0: none reopen) */
  reopenGapSlots: number;
  rssEverySeconds: number;
  warmupSeconds: number;
  /** bound of each end phase (lag drain, verification) */
  drainSeconds: number;
  log: (line: string) => void;
}

export interface ProcessExit {
  role: string;
  pid: number;
  lifeS: number;
  killedWith: string | null;
  exit: { code: number | null; signal: string | null } | null;
  crashLines: string[];
  problems: Record<string, number>;
  stderrTail: string;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'log'> & { log: undefined };
  startedAt: string;
  minutes: number;
  slots: { count: number; sent: number; matching: number; pps: number };
  faults: FaultEvent[];
  ifaceGone: Interval[];
  cover: Interval[];
  drained: boolean;
  verdict: Verdict;
  counters: SensorCounters[];
  exits: ProcessExit[];
  rss: RssTrend[];
  rssSamples: RssSample[];
}
