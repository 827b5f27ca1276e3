// Observations packed in columns, to post from the tracking thread to its parent: the numbers of
// a batch in one Float64Array (transferred, not copied) and its address texts in one string
// (cloned with one copy; an array of 2,048 strings took ~1 ms per batch to post). A structured
// clone of the same Observations as plain objects writes and reads every property name of every
// object: on the replay benchmark's 12,600 endpoints that cost ~20 ms on each side. unpack() rebuilds objects equal to the
// packed ones, with their properties in the schema's order (JSON output stays byte-identical).

import { EVIDENCE, type Observation, observationSchema } from '../../schemas/observation.js';

const PROTOS = observationSchema.proto.values;

const N = 13; // numbers per Observation
// v, port, window_start, first_seen, last_seen, handshakes, clients at 0..6
const VLAN = 7; // the nullable fields at 7..10 (-1 for null: all are unsigned)
const EVIDENCE_AT = 11; // index in EVIDENCE * 2^16 + index in the batch's sensor ids
const PROTO = 12; // index in the schema's protocols

export interface ObservationBatch {
  count: number;
  nums: Float64Array;
  texts: string; // ip and sample_client of each, newline-separated (address texts hold none)
  sensors: string[]; // distinct sensor ids of the batch
}

export class ObservationPacker {
  private nums: Float64Array;
  private texts: string[] = [];
  private sensors: string[] = [];
  private count = 0;

  constructor(readonly capacity: number) {
    this.nums = new Float64Array(capacity * N);
  }

  /** Adds `o`; true when the batch is full (take() it before the next add). */
  add(o: Observation): boolean {
    const x = this.nums;
    const q = this.count * N;
    x[q] = o.v;
    x[q + 1] = o.port;
    x[q + 2] = o.window_start;
    x[q + 3] = o.first_seen;
    x[q + 4] = o.last_seen;
    x[q + 5] = o.handshakes;
    x[q + 6] = o.clients;
    x[q + VLAN] = o.vlan ?? -1;
    x[q + VLAN + 1] = o.ttl ?? -1;
    x[q + VLAN + 2] = o.tcp_window ?? -1;
    x[q + VLAN + 3] = o.mss ?? -1;
    let sensor = this.sensors.indexOf(o.sensor);
    if (sensor < 0) sensor = this.sensors.push(o.sensor) - 1;
    x[q + EVIDENCE_AT] = EVIDENCE.indexOf(o.evidence) * 65536 + sensor;
    x[q + PROTO] = PROTOS.indexOf(o.proto);
    this.texts.push(o.ip, o.sample_client);
    return ++this.count === this.capacity;
  }

  /** The batch so far (its `nums` may be transferred); the packer starts a new one. */
  take(): ObservationBatch {
    const b = { count: this.count, nums: this.nums, texts: this.texts.join('\n'), sensors: this.sensors };
    this.nums = new Float64Array(this.capacity * N);
    this.texts = [];
    this.sensors = [];
    this.count = 0;
    return b;
  }
}

const orNull = (n: number): number | null => (n < 0 ? null : n);

/** Calls `each` with every Observation of `b`, in the order they were added. */
export function unpackObservations(b: ObservationBatch, each: (o: Observation) => void): void {
  const x = b.nums;
  const t = b.texts.split('\n');
  for (let i = 0; i < b.count; i++) {
    const q = i * N;
    const e = x[q + EVIDENCE_AT];
    each({
      v: x[q] as Observation['v'],
      sensor: b.sensors[e % 65536],
      ip: t[2 * i],
      port: x[q + 1],
      proto: PROTOS[x[q + PROTO]],
      window_start: x[q + 2],
      first_seen: x[q + 3],
      last_seen: x[q + 4],
      handshakes: x[q + 5],
      clients: x[q + 6],
      sample_client: t[2 * i + 1],
      evidence: EVIDENCE[Math.floor(e / 65536)],
      vlan: orNull(x[q + VLAN]),
      ttl: orNull(x[q + VLAN + 1]),
      tcp_window: orNull(x[q + VLAN + 2]),
      mss: orNull(x[q + VLAN + 3]),
    });
  }
}
