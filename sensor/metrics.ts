// The sensor's Prometheus metrics: views of the totals its health message carries (read when
// scraped from the same source, main.ts `totals()`), plus the two totals the message leaves out
// (Kafka send errors, the handshake-loss totals without their interval). Names and meanings:
// docs/operations.md "Prometheus metrics".

import type { Registry } from 'prom-client';
import { counterView, gaugeView, labelledCounterView, perScrape } from '../common/metric-views.js';
import type { SensorStatus } from '../schemas/status.js';
import type { TrackerStats } from './track/tracker.js';

/** What the sensor has counted so far. */
export interface SensorTotals {
  /** the health message without handshake_loss (that one has an interval: reading it moves it on) */
  status: Omit<SensorStatus, 'handshake_loss'>;
  tracker: TrackerStats;
  kafkaSendErrors: number;
}

export function registerSensorMetrics(registry: Registry, read: () => SensorTotals): void {
  const now = perScrape(read);
  const st = () => now().status;
  const counter = (name: string, help: string, f: () => number) => counterView(registry, `porthole_${name}`, help, f);
  counter('packets_total', 'Frames the capture handed over (after the kernel filter).', () => st().packets);
  counter('decoded_segments_total', 'TCP segments decoded from those frames.', () => st().decoded);
  labelledCounterView(
    registry,
    'porthole_decode_failures_total',
    'Frames that held no TCP segment to track, by reason (skipped traffic and bad bytes).',
    'reason',
    () => st().failures,
  );
  counter('handshakes_total', 'Connections accepted (distinct SYN+ACKs).', () => st().handshakes);
  counter('rejected_total', 'Connection attempts (SYNs) answered by RST.', () => st().rejected);
  counter('unanswered_total', 'SYNs never answered.', () => st().unanswered);
  counter('flow_evictions_total', 'Connection attempts pushed out of the full flow table.', () => st().evictions);
  counter('observations_total', 'Observations produced (one per endpoint and window).', () => st().observations);
  counter(
    'dropped_before_kafka_total',
    'Observations dropped because the queue for Kafka was full.',
    () => st().dropped_before_kafka,
  );
  counter('kafka_published_total', 'Messages Kafka acknowledged.', () => st().published);
  counter('kafka_publish_errors_total', 'Kafka sends that failed (each is retried).', () => now().kafkaSendErrors);
  counter(
    'kernel_drops_total',
    'Frames the kernel dropped, the capture buffer being full (0 for a capture file).',
    () => st().kernel_drops ?? 0,
  );
  counter(
    'interface_drops_total',
    'Frames the interface or its driver dropped (0 for a capture file).',
    () => st().iface_drops ?? 0,
  );
  counter(
    'handshakes_checked_total',
    'Handshakes checked for capture loss (client ACK or RST seen with the SYN or SYN+ACK).',
    () => now().tracker.lossChecked,
  );
  labelledCounterView(
    registry,
    'porthole_handshake_packets_missed_total',
    'Of the checked handshakes, the SYNs and SYN+ACKs the sensor did not see.',
    'packet',
    () => ({ syn: now().tracker.missedSyn, synack: now().tracker.missedSynAck }),
  );
  counter(
    'sflow_datagrams_total',
    'sFlow datagrams read (from --sflow, or inside captured traffic).',
    () => st().sflow.datagrams,
  );
  counter('sflow_samples_total', 'Packet headers those datagrams sampled.', () => st().sflow.samples);
  counter(
    'sflow_sampled_synacks_total',
    'Sampled SYN+ACKs taken as evidence of a service ("sampled").',
    () => st().sflow.synacks,
  );
  const gauge = (name: string, help: string, f: () => number) => gaugeView(registry, `porthole_${name}`, help, f);
  gauge('flows', 'Connection attempts tracked now.', () => st().flows);
  gauge('publish_queue_depth', 'Messages waiting for Kafka.', () => st().queue_depth);
  gauge('kafka_connected', '1 while the producer is connected to Kafka.', () => (st().kafka_connected ? 1 : 0));
  gauge(
    'last_packet_timestamp_seconds',
    'Capture time of the last frame, seconds since the epoch (0 before the first).',
    () => (st().last_packet_ms ?? 0) / 1000,
  );
}
