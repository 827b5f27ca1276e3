// An Observation as stored in the observations table: its own fields plus the partition day
// (UTC day of window_start), client_outside (policy), ingested_at (seconds), where it was read
// from (Kafka partition and offset), and what of it another sensor's Observation already counted
// (none until window-counts.ts says otherwise). The columns are
// added to the validated object in place (no copy per row on the ingest path); detection then
// reads the same object and ignores the added columns.

import { isoDay } from '../common/time.js';
import type { Observation } from '../schemas/observation.js';
import type { ObservationRow } from '../schemas/tables.js';
import { type Cidr, clientOutside } from './policy.js';

export function toObservationRow(
  o: Observation,
  homeNetworks: Cidr[],
  ingestedAtSec: number,
  from: { partition: number; offset: number },
): ObservationRow {
  const r = o as ObservationRow;
  r.kafka_partition = from.partition;
  r.kafka_offset = from.offset;
  r.day = isoDay(o.window_start);
  r.client_outside = clientOutside(o, homeNetworks) ? 1 : 0;
  r.ingested_at = ingestedAtSec;
  r.dup_handshakes = 0;
  r.dup_window = 0;
  return r;
}
