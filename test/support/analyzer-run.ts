// What the analyzer's integration tests share: starting `porthole analyzer` on a test setup
// (stopped by the test's own cleanup), sending Observations to its topic, and waiting for a
// condition.

import type { Observation } from '../../schemas/observation.js';
import { sleep } from '../../common/time.js';
import type { AnalyzerEnv } from './analyzer-env.js';
import { kafkaClient } from './kafka.js';
import { type PortholeProc, startPorthole } from './porthole-process.js';

/** A function starting an analyzer on a setup, ready once it has joined its group; `procs` collects them. */
export function analyzerStarter(
  procs: PortholeProc[],
): (e: AnalyzerEnv, extra?: Record<string, string>) => Promise<PortholeProc> {
  return async (e, extra = {}) => {
    const p = startPorthole(['analyzer'], { ...e.env, ...extra });
    procs.push(p);
    await p.waitFor((l) => l.msg === 'joined consumer group', 60_000);
    return p;
  };
}

/** Observations onto the setup's topic, keyed by server address as a sensor sends them. */
export async function sendObservations(e: AnalyzerEnv, obs: Observation[]): Promise<void> {
  const producer = kafkaClient().producer();
  await producer.connect();
  await producer.send({ topic: e.obsTopic, messages: obs.map((o) => ({ key: o.ip, value: JSON.stringify(o) })) });
  await producer.disconnect();
}

/** Whether `pred` held within `ms`, asked every `stepMs`. */
export async function until(pred: () => boolean | Promise<boolean>, ms: number, stepMs = 500): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(stepMs)) if (await pred()) return true;
  return false;
}
