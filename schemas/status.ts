// The sensor's health message, published every status interval to the status topic and logged
// as one line. Counters are cumulative since the sensor started (the capture's over every
// interface and every reopen of one).

export const STATUS_VERSION = 1;

export interface SensorStatus {
  v: typeof STATUS_VERSION;
  type: 'sensor_status';
  sensor: string;
  ts: number; // ms since the epoch
  uptime_s: number;
  source: string; // "iface:eth1", "pcap:/path" or "sflow:127.0.0.1:6343"
  packets: number; // frames libpcap handed over (after the kernel filter)
  decoded: number; // TCP segments found in them
  failures: Record<string, number>; // skip/error reasons with their counts
  handshakes: number; // accepted connections (distinct SYN+ACKs)
  rejected: number;
  unanswered: number;
  flows: number; // connection attempts tracked now
  evictions: number;
  observations: number; // Observations produced
  queue_depth: number; // messages waiting for Kafka
  dropped_before_kafka: number; // Observations dropped because the queue was full (exact)
  status_dropped: number; // health messages dropped the same way
  published: number; // messages Kafka acknowledged
  kafka_connected: boolean;
  last_packet_ms: number | null;
  // Capture health (null or "capturing" when reading a file), see docs/operations.md:
  kernel_drops: number | null; // frames the kernel dropped, the capture buffer being full (pcap_stats ps_drop)
  iface_drops: number | null; // frames the interface or its driver dropped (pcap_stats ps_ifdrop)
  capture_state: CaptureState;
  capture_error: string | null; // why interfaces are lost now ("eth1: The interface disappeared"), else null
  interface_losses: number; // interfaces lost since the start, each loss counted
  handshake_loss: HandshakeLoss;
  sflow: SflowCounts;
}

/**
 * sFlow datagrams the sensor read (its source with --sflow, or inside captured traffic) and the
 * packet headers they sampled. Each datagram is also one of `packets`: counted in `failures` as
 * `sflow` when read, else under the reason it was not (truncated_sflow, bad_sflow_version,
 * bad_sflow_record). Absent from the messages of sensors made before sFlow.
 */
export interface SflowCounts {
  datagrams: number;
  samples: number; // sampled packet headers (flow samples' raw packet header records)
  counter_samples: number; // counter samples, skipped
  decoded: number; // TCP segments in the sampled headers
  synacks: number; // of those, SYN+ACKs taken as evidence of a service ("sampled")
  failures: Record<string, number>; // sampled headers that held no TCP segment, by reason
}

/** Capture loss estimated from the handshakes (sensor/track/loss.ts); interval: since the previous message. */
export interface HandshakeLoss {
  checked: number; // handshakes whose client ACK or RST was seen with their SYN or SYN+ACK
  missed_syn: number; // of those, SYNs not seen
  missed_synack: number; // and SYN+ACKs not seen
  interval_checked: number;
  interval_missed: number; // SYNs and SYN+ACKs
  interval_ratio: number | null; // interval_missed / (2 * interval_checked); null when nothing was checked
}

/**
 * capturing: every interface captures; waiting: one or more are lost and awaited
 * (capture.onInterfaceLoss "wait"); lost: one is lost and the sensor is stopping ("exit").
 */
export type CaptureState = 'capturing' | 'waiting' | 'lost';

export const CAPTURE_STATES: readonly CaptureState[] = ['capturing', 'waiting', 'lost'];

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * A status message as received (JSON), checked for what its readers rely on: the version and
 * type, the sensor id, the time, the source, the counters stored as columns and the capture
 * state. Other fields are kept as they came (the whole message is stored); the errors name the
 * field.
 */
export function validateSensorStatus(
  input: unknown,
): { ok: true; value: SensorStatus } | { ok: false; errors: string[] } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, errors: ['not an object'] };
  const m = input as Record<string, unknown>;
  const errors: string[] = [];
  if (m.v !== STATUS_VERSION) errors.push(`v: must be ${STATUS_VERSION}, got ${JSON.stringify(m.v)}`);
  if (m.type !== 'sensor_status') errors.push(`type: must be "sensor_status", got ${JSON.stringify(m.type)}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (typeof m.sensor !== 'string' || !/^[^\x00-\x1f\x7f]{1,256}$/.test(m.sensor))
    errors.push('sensor: 1 to 256 characters, no control characters');
  if (!isCount(m.ts) || m.ts === 0) errors.push('ts: ms since the epoch');
  if (typeof m.source !== 'string' || m.source.length > 1024) errors.push('source: a string');
  for (const k of ['packets', 'decoded', 'handshakes', 'dropped_before_kafka'] as const)
    if (!isCount(m[k])) errors.push(`${k}: a count`);
  for (const k of ['kernel_drops', 'last_packet_ms'] as const)
    if (m[k] !== null && !isCount(m[k])) errors.push(`${k}: a count or null`);
  const f = m.failures;
  if (!f || typeof f !== 'object' || Array.isArray(f) || !Object.values(f).every(isCount))
    errors.push('failures: an object of counts');
  if (!CAPTURE_STATES.includes(m.capture_state as CaptureState))
    errors.push(`capture_state: one of ${CAPTURE_STATES.join(', ')}`);
  return errors.length ? { ok: false, errors } : { ok: true, value: m as unknown as SensorStatus };
}
