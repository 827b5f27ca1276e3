// Prometheus metrics that are views of counters a process keeps anyway (for its status lines and
// messages): each is read when scraped, never incremented a second time, so a metric and the
// status it mirrors cannot disagree. A counter's reader must return a total that only grows.

import { Counter, Gauge, type Registry } from 'prom-client';

type Reader<T> = () => T;

/** `read`, called at most once per scrape however many metrics use it (a consistent snapshot). */
export function perScrape<T>(read: Reader<T>): Reader<T> {
  let held: { v: T } | null = null;
  return () => {
    if (held) return held.v;
    held = { v: read() };
    // every metric's collect runs in the same turn of the event loop when a registry is scraped
    setImmediate(() => {
      held = null;
    });
    return held.v;
  };
}

/** A counter whose total is `read()`. */
export function counterView(registry: Registry, name: string, help: string, read: Reader<number>): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A counter per value of `label`, the totals `read()` gives (a value appears once counted). */
export function labelledCounterView(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  read: Reader<Record<string, number>>,
): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, n] of Object.entries(read())) this.inc({ [label]: value }, n);
    },
  });
}

/** A gauge whose value is `read()`. */
export function gaugeView(registry: Registry, name: string, help: string, read: Reader<number>): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
