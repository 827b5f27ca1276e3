// The soak's truth: which endpoints accept connections in which slot (a slot is one tcpreplay run
// of a few seconds). Background endpoints answer in every slot; each slot opens new endpoints for
// a few slots (most for one: the ones a sensor outage can hide entirely), and with `reopenGap`
// some reopen once after at least that many slots closed. Pure and seeded: the same options give
// the same schedule.

export interface ScheduleOptions {
  slots: number;
  /** new endpoints opened per slot */
  perSlot: number;
  /** slots between an exposure's end and its reopening; 0: endpoints never reopen */
  reopenGap: number;
  seed?: number;
}

/** [first slot, end slot) of one exposure: a handshake in each slot of it */
export type Exposure = [number, number];

export interface Endpoint {
  ip: string;
  port: number;
  exposures: Exposure[];
}

export interface Schedule {
  background: Endpoint[];
  transient: Endpoint[];
  /** transient endpoints with a handshake in the slot */
  inSlot(slot: number): Endpoint[];
}

export const BACKGROUND_PORTS = [80, 443];
const PORTS = [22, 25, 80, 443, 3306, 5432, 6379, 8080, 8443, 9200];
const LIFETIMES = [1, 1, 1, 1, 2, 3, 6];

export function backgroundEndpoints(hosts = 50): Endpoint[] {
  const out: Endpoint[] = [];
  for (let h = 1; h <= hosts; h++) {
    for (const port of BACKGROUND_PORTS) out.push({ ip: `10.77.0.${h}`, port, exposures: [] });
  }
  return out;
}

export function makeSchedule(o: ScheduleOptions): Schedule {
  let seed = o.seed ?? 7;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const background = backgroundEndpoints();
  for (const e of background) e.exposures.push([0, o.slots]);
  const transient: Endpoint[] = [];
  const bySlot: Endpoint[][] = Array.from({ length: o.slots }, () => []);
  let k = 0;
  for (let s = 0; s < o.slots; s++) {
    for (let i = 0; i < o.perSlot; i++, k++) {
      const e: Endpoint = {
        ip: `10.77.${1 + Math.floor(k / 250)}.${1 + (k % 250)}`,
        port: PORTS[k % PORTS.length],
        exposures: [],
      };
      const end = Math.min(o.slots, s + LIFETIMES[rand(LIFETIMES.length)]);
      e.exposures.push([s, end]);
      const again = end + o.reopenGap + rand(3);
      if (o.reopenGap > 0 && rand(4) === 0 && again < o.slots)
        e.exposures.push([again, Math.min(o.slots, again + 1 + rand(2))]);
      for (const [a, b] of e.exposures) for (let t = a; t < b; t++) bySlot[t].push(e);
      transient.push(e);
    }
  }
  return { background, transient, inSlot: (slot) => bySlot[slot] ?? [] };
}
