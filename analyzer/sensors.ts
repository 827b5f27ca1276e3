// The sensors as people see them: each one's latest health message with a verdict, and one
// sensor's counters over time (store/sensor-status.ts). A sensor is healthy when its latest
// status is recent (within SENSOR_SILENCE_MS), every interface captures, and it reaches Kafka.
// Limit: the analyzer does not know the sensors' status.interval; one set far above the
// default makes a sensor look silent.

import { type LatestStatus, latestSensorStatus, type StatusPoint, sensorHistory } from './store/sensor-status.js';
import type { Store } from './store/store.js';

export type { LatestStatus, StatusPoint };

/** A sensor silent this long is unhealthy (several default status intervals). */
export const SENSOR_SILENCE_MS = 60_000;
/** Points of one sensor's history at most (more statuses are bucketed). */
export const HISTORY_POINTS = 2000;

export function healthy(st: LatestStatus, now = Date.now()): boolean {
  return now - st.ts <= SENSOR_SILENCE_MS && st.capture_state === 'capturing' && st.status.kafka_connected !== false;
}

/** Every sensor's latest status, by sensor id. */
export function sensors(s: Store): Promise<LatestStatus[]> {
  return latestSensorStatus(s);
}

/** One sensor's counters from `fromMs` on, oldest first, at most HISTORY_POINTS points. */
export function history(s: Store, sensor: string, fromMs: number): Promise<StatusPoint[]> {
  return sensorHistory(s, sensor, fromMs, HISTORY_POINTS);
}
