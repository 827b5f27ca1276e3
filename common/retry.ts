// The one retry policy: an operation is retried only when its error says `retriable: true`
// (see errors.ts), with exponential backoff between attempts; any other error is thrown at once.
// Callers that must give up while waiting (a Kafka batch whose partition was revoked) say so in
// `giveUp`; callers that need to act between attempts (heartbeat, log once per outage) use
// `onRetry`. Limit: no jitter; the processes that retry together are few.

import { isRetriable } from './errors.js';
import { sleep } from './time.js';

export interface RetryOptions {
  /** first wait, doubled after each failure up to `maxMs` */
  initialMs?: number;
  maxMs?: number;
  /** decides whether an error is worth retrying (default: its `retriable` flag) */
  retriable?: (err: unknown) => boolean;
  /** called after each retriable failure, before the wait; `attempt` counts from 1 */
  onRetry?: (err: unknown, attempt: number) => void | Promise<void>;
  /** checked after each failure: an error to throw instead of retrying, or null to go on */
  giveUp?: (err: unknown) => Error | null;
  /** unref the waits' timers: a retry alone does not keep the process alive */
  unrefTimers?: boolean;
}

/** Backoff delays: `next()` gives the wait before the next attempt, `reset()` after a success. */
export class Backoff {
  private current: number;
  constructor(
    private readonly initialMs = 250,
    private readonly maxMs = 5000,
  ) {
    this.current = initialMs;
  }
  next(): number {
    const d = this.current;
    this.current = Math.min(this.current * 2, this.maxMs);
    return d;
  }
  reset(): void {
    this.current = this.initialMs;
  }
}

/** Run `fn` until it succeeds or fails with an error that is not retriable. */
export async function retry<T>(fn: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const backoff = new Backoff(o.initialMs ?? 250, o.maxMs ?? 5000);
  const retriable = o.retriable ?? isRetriable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!retriable(err)) throw err;
      const stop = o.giveUp?.(err);
      if (stop) throw stop;
      await o.onRetry?.(err, attempt);
      await sleep(backoff.next(), o.unrefTimers);
    }
  }
}
