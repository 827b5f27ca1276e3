// The whole pipeline for an end-to-end test: the analyzer, the verifier and a sensor on a lab's
// mirror interface, each started once the one before it is ready, all on one AnalyzerEnv's
// topics and database. Every process is pushed to `procs` as soon as it starts, so the caller's
// cleanup stops it even when a later one fails to come up. The analyzer and the sensor can be
// started alone too, for a test that wants no verifier running.

import type { AnalyzerEnv } from './analyzer-env.js';
import { type PortholeProc, startPorthole } from './porthole-process.js';

/** `porthole analyzer` on env's topics and database, once it has joined its group. */
export async function startAnalyzer(env: AnalyzerEnv, procs: PortholeProc[]): Promise<PortholeProc> {
  const analyzer = startPorthole(['analyzer'], env.env);
  procs.push(analyzer);
  await analyzer.waitFor((l) => l.msg === 'joined consumer group', 60_000);
  return analyzer;
}

/** `porthole sensor` on `iface`, once it captures. */
export async function startSensor(
  env: AnalyzerEnv,
  iface: string,
  procs: PortholeProc[],
  sensorEnv: Record<string, string> = {},
): Promise<PortholeProc> {
  const sensor = startPorthole(['sensor', '--iface', iface, '--window', '1s'], {
    PORTHOLE_KAFKA_BROKERS: env.env.PORTHOLE_KAFKA_BROKERS,
    PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: env.obsTopic,
    PORTHOLE_KAFKA_STATUS_TOPIC: env.statusTopic,
    ...sensorEnv,
  });
  procs.push(sensor);
  // privileges are dropped once the capture is open: from then on frames are captured
  await sensor.waitFor((l) => l.msg === 'dropped privileges', 30_000);
  return sensor;
}

export async function startPipeline(
  env: AnalyzerEnv,
  iface: string,
  procs: PortholeProc[],
  sensorEnv: Record<string, string> = {},
): Promise<{ analyzer: PortholeProc; verifier: PortholeProc; sensor: PortholeProc }> {
  const analyzer = await startAnalyzer(env, procs);
  const verifier = startPorthole(['verifier'], env.env);
  procs.push(verifier);
  await verifier.waitFor((l) => l.msg === 'verifier running', 60_000);
  const sensor = await startSensor(env, iface, procs, sensorEnv);
  return { analyzer, verifier, sensor };
}
