// The Observation message: what one sensor proved about one server endpoint in one time window.
// This definition is the single source of truth for its TS type, validator and table columns.
// Version 2 adds the audience (clients by zone, samples, HyperLogLog sketches); version 1 messages
// from older sensors stay valid and are upgraded (upgradeObservation), with the limits it states.
// The capture-loss counts (loss_checked, loss_missed) are optional in version 2: null when a
// sensor made before them sent it. So is sampling_rate, set only with evidence "sampled" (an
// endpoint known from sFlow samples alone, whose counts are estimates).

import { HLL_MAX_RANK, HLL_REGISTERS } from '../common/hll.js';
import { type Row, validate, type Validation } from './fields.js';
import { DEFAULT_HOME_NETWORKS } from './zones.js';

export const OBSERVATION_VERSION = 2;
/** Every version a consumer accepts. */
export const OBSERVATION_VERSIONS: readonly number[] = [1, OBSERVATION_VERSION];
/** Client addresses an Observation lists in sample_clients at most. */
export const MAX_SAMPLE_CLIENTS = 8;

/** Evidence values of version 1, and of version 2 before sampled traffic. */
const EVIDENCE_V1 = ['handshake', 'synack'] as const;
export const EVIDENCE = [...EVIDENCE_V1, 'sampled'] as const;
export type Evidence = (typeof EVIDENCE)[number];

const v1Fields = {
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
    values: EVIDENCE_V1,
    doc: 'handshake: SYN, SYN+ACK and the client ACK seen; synack: only the SYN+ACK (one-sided mirror)',
  },
  vlan: { kind: 'uint', bits: 16, nullable: true, doc: 'innermost 802.1Q VLAN id of the SYN+ACK' },
  ttl: { kind: 'uint', bits: 8, nullable: true, doc: 'SYN+ACK IP TTL / hop limit (fingerprint hint)' },
  tcp_window: { kind: 'uint', bits: 16, nullable: true, doc: 'SYN+ACK TCP window (fingerprint hint)' },
  mss: { kind: 'uint', bits: 16, nullable: true, doc: 'SYN+ACK MSS option (fingerprint hint)' },
} as const;

/** Version 1: what sensors sent before the audience fields. */
export const observationV1Schema = {
  v: { kind: 'const', value: 1, doc: 'schema version' },
  ...v1Fields,
} as const;

const sketchDoc = (zone: string): string =>
  `HyperLogLog of the window's ${zone} clients (${HLL_REGISTERS} registers; merge with maxForEach); empty when none or unknown`;

export const observationSchema = {
  v: { kind: 'const', value: OBSERVATION_VERSION, doc: 'schema version' },
  ...v1Fields,
  handshakes: {
    kind: 'uint',
    bits: 32,
    doc: 'connections the endpoint accepted (distinct SYN+ACKs; retransmits and SPAN duplicates not counted); evidence sampled: an estimate, the sampled SYN+ACKs each times its sampling rate',
  },
  evidence: {
    kind: 'enum',
    values: EVIDENCE,
    doc: 'handshake: SYN, SYN+ACK and the client ACK seen; synack: only the SYN+ACK (one-sided mirror); sampled: only SYN+ACKs in sFlow samples (counts are estimates, see sampling_rate)',
  },
  clients_internal: {
    kind: 'uint',
    bits: 32,
    doc: "distinct clients inside the sensor's home networks (with clients_internet: clients)",
  },
  clients_internet: { kind: 'uint', bits: 32, doc: "distinct clients outside the sensor's home networks" },
  sample_clients: {
    kind: 'ipList',
    max: MAX_SAMPLE_CLIENTS,
    doc: 'the first distinct client addresses of the window',
  },
  hll_internal: { kind: 'uint8List', lengths: [0, HLL_REGISTERS], max: HLL_MAX_RANK, doc: sketchDoc('internal') },
  hll_internet: { kind: 'uint8List', lengths: [0, HLL_REGISTERS], max: HLL_MAX_RANK, doc: sketchDoc('internet') },
  loss_checked: {
    kind: 'uint',
    bits: 32,
    nullable: true,
    doc: "the sensor's handshakes in this window (all endpoints) whose client ACK or RST was seen with their SYN or SYN+ACK; null: not reported",
  },
  loss_missed: {
    kind: 'uint',
    bits: 32,
    nullable: true,
    doc: 'of those, handshakes whose SYN or SYN+ACK the sensor did not see (capture loss = loss_missed / (2 * loss_checked))',
  },
  sampling_rate: {
    kind: 'uint',
    bits: 32,
    nullable: true,
    doc: 'evidence sampled: the samples were 1 in this many packets (the highest rate when they differ); null for mirrored traffic',
  },
} as const;

export type ObservationV1 = Row<typeof observationV1Schema>;
/** The current message (version 2); consumers upgrade version 1 to it. */
export type Observation = Row<typeof observationSchema>;

const isDefaultInternal = (ip: string): boolean => DEFAULT_HOME_NETWORKS.internalIp(ip);

/**
 * Validate a message of either version (each against its own fields) and upgrade a version 1
 * message with `isInternal`, the consumer's home networks (by default the default internal
 * ranges; see upgradeObservation). Any other `v` is refused on the version 2 field set.
 */
export function validateObservation(
  input: unknown,
  isInternal: (ip: string) => boolean = isDefaultInternal,
): Validation<Observation> {
  const v = (input as { v?: unknown } | null)?.v;
  if (v === 1) {
    const r = validate(observationV1Schema, input);
    if (!r.ok) return r;
    const errors = timeErrors(r.value);
    return errors.length ? { ok: false, errors } : { ok: true, value: upgradeObservation(r.value, isInternal) };
  }
  const r = validate(observationSchema, input);
  if (!r.ok) return r;
  const errors = [...timeErrors(r.value), ...audienceErrors(r.value)];
  return errors.length ? { ok: false, errors } : r;
}

/**
 * The share of the handshake packets a sensor needs (SYN, SYN+ACK) that it did not see, among the
 * handshakes it could check: missed / (missed + seen) with 2 packets per checked handshake; null
 * when none was checked.
 */
export function captureLoss(checked: number | null, missed: number | null): number | null {
  return checked && missed !== null ? missed / (2 * checked) : null;
}

function timeErrors(o: ObservationV1 | Observation): string[] {
  return o.last_seen < o.first_seen ? ['last_seen: earlier than first_seen'] : [];
}

function audienceErrors(o: Observation): string[] {
  const errors: string[] = [];
  if (o.clients_internal + o.clients_internet !== o.clients)
    errors.push(
      `clients_internal + clients_internet: must equal clients (${o.clients}), got ${o.clients_internal} + ${o.clients_internet}`,
    );
  if ((o.evidence === 'sampled') !== (o.sampling_rate !== null))
    errors.push('sampling_rate: set exactly when evidence is sampled');
  else if (o.sampling_rate === 0) errors.push('sampling_rate: at least 1');
  if ((o.loss_checked === null) !== (o.loss_missed === null)) errors.push('loss_checked, loss_missed: both or neither');
  else if (o.loss_missed !== null && o.loss_missed > o.loss_checked!)
    errors.push(`loss_missed: at most loss_checked (${o.loss_checked}), got ${o.loss_missed}`);
  return errors;
}

/**
 * A version 1 message in the current shape. Approximations: its one sample client stands for all
 * its clients, so every client is counted in that client's zone; the sketches are empty (unknown).
 */
export function upgradeObservation(o: ObservationV1, isInternal: (ip: string) => boolean): Observation {
  const internal = isInternal(o.sample_client);
  return {
    ...o,
    v: OBSERVATION_VERSION,
    clients_internal: internal ? o.clients : 0,
    clients_internet: internal ? 0 : o.clients,
    sample_clients: [o.sample_client],
    hll_internal: [],
    hll_internet: [],
    loss_checked: null,
    loss_missed: null,
    sampling_rate: null,
  };
}
