// The Observation message: what one sensor proved about one server endpoint in one time window.
// This definition is the single source of truth for its TS type, validator and table columns.

import { type Row, validate, type Validation } from './fields.js';

export const OBSERVATION_VERSION = 1;

export const EVIDENCE = ['handshake', 'synack'] as const;
export type Evidence = (typeof EVIDENCE)[number];

export const observationSchema = {
  v: { kind: 'const', value: OBSERVATION_VERSION, doc: 'schema version' },
  sensor: { kind: 'string', max: 128, doc: 'id of the sensor that saw it' },
  ip: { kind: 'ip', doc: 'server address, canonical text (RFC 5952 for IPv6)' },
  port: { kind: 'uint', bits: 16, doc: 'server port' },
  proto: { kind: 'enum', values: ['tcp'], doc: 'transport protocol' },
  window_start: {
    kind: 'uint',
    bits: 53,
    doc: 'start of the aggregation window, ms since the epoch; (sensor, ip, port, proto, window_start) identifies an Observation',
  },
  first_seen: { kind: 'uint', bits: 53, doc: 'first SYN+ACK in the window, ms since the epoch' },
  last_seen: { kind: 'uint', bits: 53, doc: 'last SYN+ACK in the window, ms since the epoch' },
  handshakes: {
    kind: 'uint',
    bits: 32,
    doc: 'connections the endpoint accepted (distinct SYN+ACKs; retransmits and SPAN duplicates not counted)',
  },
  clients: { kind: 'uint', bits: 32, doc: 'distinct client addresses (capped, see docs)' },
  sample_client: { kind: 'ip', doc: 'one client address that connected' },
  evidence: {
    kind: 'enum',
    values: EVIDENCE,
    doc: 'handshake: SYN, SYN+ACK and the client ACK seen; synack: only the SYN+ACK (one-sided mirror)',
  },
  vlan: { kind: 'uint', bits: 16, nullable: true, doc: 'innermost 802.1Q VLAN id of the SYN+ACK' },
  ttl: { kind: 'uint', bits: 8, nullable: true, doc: 'SYN+ACK IP TTL / hop limit (fingerprint hint)' },
  tcp_window: { kind: 'uint', bits: 16, nullable: true, doc: 'SYN+ACK TCP window (fingerprint hint)' },
  mss: { kind: 'uint', bits: 16, nullable: true, doc: 'SYN+ACK MSS option (fingerprint hint)' },
} as const;

export type Observation = Row<typeof observationSchema>;

export function validateObservation(input: unknown): Validation<Observation> {
  const r = validate(observationSchema, input);
  if (r.ok && r.value.last_seen < r.value.first_seen) {
    return { ok: false, errors: ['last_seen: earlier than first_seen'] };
  }
  return r;
}
