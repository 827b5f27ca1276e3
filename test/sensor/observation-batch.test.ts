// Observations packed in columns between threads come back equal, property order included (the
// replay's JSON output is byte-identical to the one-thread path's).

import { describe, expect, it } from 'vitest';
import { type Observation, validateObservation } from '../../schemas/observation.js';
import { ObservationPacker, unpackObservations } from '../../sensor/track/observation-batch.js';

const base: Observation = {
  v: 1, sensor: 'tap-1', ip: '192.0.2.1', port: 443, proto: 'tcp', window_start: 1767225600000,
  first_seen: 1767225600004, last_seen: 1767225605479, handshakes: 85, clients: 72,
  sample_client: '198.51.102.98', evidence: 'handshake', vlan: 103, ttl: 64, tcp_window: 64240, mss: 1400,
};

describe('ObservationPacker', () => {
  it('round-trips Observations: values, nulls, sensors, evidence and property order', () => {
    const obs: Observation[] = [
      base,
      { ...base, sensor: 'tap-"2"\n', ip: '2001:db8::1', port: 0, evidence: 'synack', vlan: null, ttl: null, tcp_window: null, mss: null },
      { ...base, port: 65535, handshakes: 2 ** 32 - 1, clients: 0, vlan: 0, ttl: 255, tcp_window: 0, mss: 0 },
      { ...base, sensor: 'tap-1', window_start: 2 ** 53 - 1, first_seen: 0, last_seen: 0 },
    ];
    const packer = new ObservationPacker(3);
    const batches = [];
    for (const o of obs) if (packer.add(o)) batches.push(packer.take());
    batches.push(packer.take());
    expect(batches.map((b) => b.count)).toEqual([3, 1]);
    const back: Observation[] = [];
    // as posted between threads: a structured clone
    for (const b of batches) unpackObservations(structuredClone(b), (o) => back.push(o));
    expect(back.map((o) => JSON.stringify(o))).toEqual(obs.map((o) => JSON.stringify(o)));
    for (const o of back.slice(0, 3)) expect(validateObservation(o).ok).toBe(true);
  });
});
