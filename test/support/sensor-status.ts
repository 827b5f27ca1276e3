// A sensor health message (schemas/status.ts) for tests: a capturing sensor with nothing lost,
// the fields a test cares about given as overrides.

import type { SensorStatus } from '../../schemas/status.js';

export function sensorStatus(o: Partial<SensorStatus> & Pick<SensorStatus, 'sensor' | 'ts' | 'packets'>): SensorStatus {
  return {
    v: 1,
    type: 'sensor_status',
    uptime_s: 1,
    source: 'iface:eth1',
    decoded: o.packets,
    failures: {},
    handshakes: 0,
    rejected: 0,
    unanswered: 0,
    flows: 0,
    evictions: 0,
    observations: 0,
    queue_depth: 0,
    dropped_before_kafka: 0,
    status_dropped: 0,
    published: 0,
    kafka_connected: true,
    last_packet_ms: o.ts - 1,
    kernel_drops: 0,
    iface_drops: 0,
    capture_state: 'capturing',
    capture_error: null,
    interface_losses: 0,
    handshake_loss: {
      checked: 0,
      missed_syn: 0,
      missed_synack: 0,
      interval_checked: 0,
      interval_missed: 0,
      interval_ratio: null,
    },
    ...o,
  } as SensorStatus;
}
