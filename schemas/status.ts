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
  source: string; // "iface:eth1" or "pcap:/path"
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
