// `porthole sensor`: wiring only. Opens the capture (interfaces, a file, or an sFlow socket), drops privileges,
// runs every frame through the shared pipeline, publishes Observations and health messages to
// Kafka, serves the same totals as Prometheus metrics, and shuts down cleanly on SIGTERM/SIGINT or a lost interface under
// capture.onInterfaceLoss "exit" (flushing the open window and what is queued).

import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Observation } from '../schemas/observation.js';
import { STATUS_VERSION, type SensorStatus } from '../schemas/status.js';
import { TOPICS } from '../schemas/topics.js';
import { topicSpec } from '../common/kafka.js';
import { serveMetrics } from '../common/metrics.js';
import { buildFilter } from './capture/bpf-filter.js';
import { type FileReadResult, fileSource, openCaptureFile } from './capture/file-source.js';
import { captureHealth } from './capture/capture-health.js';
import { type LiveCapture, openLiveCapture } from './capture/live-capture.js';
import { framesWithOffloads, readOffloads } from './capture/offloads.js';
import type { PacketSource } from './capture/packet-source.js';
import { openSflowSource, type SflowSource } from './capture/sflow-source.js';
import { dropPrivileges } from './capture/privileges.js';
import type { SensorConfig } from './config.js';
import { decodeOptionsFor } from './decode/encapsulations.js';
import { createPipeline } from './pipeline/one-thread.js';
import { lossIntervals } from './track/loss.js';
import { createPublisher } from './publish/kafka-publisher.js';
import { registerSensorMetrics, type SensorTotals } from './metrics.js';

export async function runSensor(cfg: SensorConfig, logger: Logger): Promise<number> {
  const started = Date.now();
  let observations = 0;
  let kafkaRefused: unknown = null;
  const publisher = createPublisher({
    brokers: cfg.kafka.brokers,
    clientId: cfg.kafka.clientId,
    security: cfg.kafka.security,
    topics: [
      topicSpec(cfg.kafka.observationsTopic, TOPICS.observations, cfg.kafka.replication, {
        partitions: cfg.kafka.observationsPartitions,
        retentionMs: cfg.kafka.observationsRetentionMs,
      }),
      topicSpec(cfg.kafka.statusTopic, TOPICS.sensorStatus, cfg.kafka.replication, {
        retentionMs: cfg.kafka.statusRetentionMs,
      }),
    ],
    queueLimit: cfg.publish.queueLimit,
    batchSize: cfg.publish.batchSize,
    lingerMs: cfg.publish.lingerMs,
    logger: logger.child({ component: 'publish' }),
    // nothing captured could be delivered: stop, and say why (the CLI prints it as one line)
    onFatal: (err) => {
      kafkaRefused = err;
      source.stop();
    },
  });
  const emit = (o: Observation): void => {
    observations++;
    publisher.publish(cfg.kafka.observationsTopic, o.ip, JSON.stringify(o));
  };
  const pipeline = createPipeline(
    {
      sensorId: cfg.sensorId,
      windowMs: cfg.track.windowMs,
      graceMs: cfg.track.graceMs,
      maxFlows: cfg.track.maxFlows,
      synTimeoutMs: cfg.track.synTimeoutMs,
      maxClientsPerEndpoint: cfg.track.maxClients,
      homeNetworks: cfg.track.homeNetworks,
      scannerAddresses: cfg.track.scannerAddresses,
    },
    emit,
    decodeOptionsFor(cfg.capture.encapsulations),
  );
  const handshakeLoss = lossIntervals();
  // every total the health message and the metrics give comes from here
  const totals = (): SensorTotals => {
    const s = pipeline.stats();
    const p = publisher.stats();
    const status: SensorTotals['status'] = {
      v: STATUS_VERSION,
      type: 'sensor_status',
      sensor: cfg.sensorId,
      ts: Date.now(),
      uptime_s: Math.round((Date.now() - started) / 1000),
      source: source.name,
      packets: s.packets,
      decoded: s.decoded,
      failures: s.reasons,
      handshakes: s.tracker.accepted,
      rejected: s.tracker.rejected,
      unanswered: s.tracker.unanswered,
      flows: s.tracker.flows,
      evictions: s.tracker.evictions,
      observations,
      queue_depth: p.queued,
      dropped_before_kafka: p.droppedByTopic[cfg.kafka.observationsTopic] ?? 0,
      status_dropped: p.droppedByTopic[cfg.kafka.statusTopic] ?? 0,
      published: p.published,
      kafka_connected: p.connected,
      last_packet_ms: s.lastPacketMs === null ? null : Math.floor(s.lastPacketMs),
      ...captureHealth(live),
      sflow: {
        datagrams: s.sampled.datagrams,
        samples: s.sampled.samples,
        counter_samples: s.sampled.counterSamples,
        decoded: s.sampled.decoded,
        synacks: s.tracker.sampledSynAcks,
        failures: s.sampled.reasons,
      },
    };
    return { status, tracker: s.tracker, kafkaSendErrors: p.sendErrors };
  };
  const status = (): SensorStatus => {
    const t = totals();
    return { ...t.status, handshake_loss: handshakeLoss(t.tracker) };
  };
  const report = (): void => {
    const st = status();
    logger.info({ status: st }, 'sensor status');
    publisher.publish(cfg.kafka.statusTopic, cfg.sensorId, JSON.stringify(st));
  };

  // opened while still privileged; frames flow from run() on
  let source: PacketSource<FileReadResult | null>;
  let live: LiveCapture | null = null;
  let sflow: SflowSource | null = null;
  if (cfg.capture.ifaces.length > 0) {
    const bufferBytes = cfg.capture.bufferMb * 1024 * 1024;
    live = openLiveCapture({
      ifaces: cfg.capture.ifaces,
      filterFor: (ethernet) =>
        buildFilter({ acks: cfg.capture.acks, encapsulations: cfg.capture.encapsulations, ethernet }),
      bufferBytes,
      onLoss: cfg.capture.onInterfaceLoss,
      events: {
        opened(iface, linktype, reopened) {
          logger.info({ iface, linktype, bufferMb: cfg.capture.bufferMb }, reopened ? 'capture resumed' : 'capturing');
          const offloads = readOffloads(iface);
          if (offloads && offloads.length > 0) {
            logger.warn(
              { iface, offloads, bufferFrames: framesWithOffloads(bufferBytes) },
              `offloads on: the capture buffer holds only ~64 KiB slots, so short stalls drop packets; run porthole prepare-mirror ${iface}`,
            );
          }
          if (reopened) report();
        },
        lost(iface, reason, waiting) {
          const then = waiting ? 'waiting for it to return' : 'flushing and stopping';
          logger.error({ iface, reason, queued: publisher.stats().queued }, `capture lost: ${then}`);
          report();
        },
        waiting(iface, state, detail) {
          logger.warn({ iface, state, detail }, 'waiting for interface');
        },
      },
    });
    source = live;
  } else if (cfg.capture.sflow) {
    sflow = await openSflowSource(cfg.capture.sflow, { bufferBytes: cfg.capture.bufferMb * 1024 * 1024 });
    logger.info({ address: sflow.address.host, port: sflow.address.port }, 'receiving sflow');
    source = sflow;
  } else {
    const path = cfg.capture.pcap!;
    source = fileSource(path, { fd: openCaptureFile(path) });
  }
  // served once the capture is open (its totals read it), bound before privileges are dropped
  const registry = new Registry();
  registerSensorMetrics(registry, totals);
  const metrics = cfg.metricsListen && (await serveMetrics(registry, cfg.metricsListen, logger));
  const dropped = cfg.capture.user === null ? null : dropPrivileges(cfg.capture.user);
  if (dropped) logger.info({ user: cfg.capture.user, ...dropped }, 'dropped privileges');
  if (dropped && live && cfg.capture.onInterfaceLoss === 'wait') {
    logger.warn(
      'capture.onInterfaceLoss wait: a lost interface cannot be reopened without root or CAP_NET_RAW, so the sensor will stop instead; run it with the capabilities (deploy/systemd)',
    );
  }
  publisher.start();

  // live windows close on the wall clock even when no packets come; files follow their own time
  // (behind by the time frames of several interfaces are held to be put in order)
  const lagMs = live?.lagMs ?? 0;
  const ticker = source.live ? setInterval(() => pipeline.tick(Date.now() - lagMs), 250) : null;
  const statusTimer = setInterval(report, cfg.statusIntervalMs);
  const onSignal = (sig: string): void => {
    logger.info({ signal: sig }, 'stopping');
    source.stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  let failure: unknown = null;
  try {
    const running = source.run(pipeline.onFrame);
    if (sflow?.droppedBeforeRun)
      logger.warn({ dropped: sflow.droppedBeforeRun }, 'sflow datagrams dropped while the sensor was starting');
    const r = await running;
    if (r) {
      if (r.truncatedBytes) logger.warn({ file: r.path, ignoredBytes: r.truncatedBytes }, 'capture cut short');
      logger.info({ file: r.path, frames: r.frames }, 'capture file read');
    }
  } catch (err) {
    failure = err; // still flush what was found before the failure, then report it
  }

  if (ticker) clearInterval(ticker);
  clearInterval(statusTimer);
  source.stop();
  pipeline.finish();
  report();
  const q = publisher.stats().queued;
  logger.info({ queued: q }, 'flushing to kafka');
  await publisher.stop(cfg.publish.flushTimeoutMs);
  const left = publisher.stats().queued;
  if (left > 0)
    logger.error(
      { lost: left },
      kafkaRefused
        ? 'kafka refused this sensor: not delivered'
        : 'kafka did not take everything before the flush timeout',
    );
  logger.info({ ...status() }, 'sensor stopped');
  await metrics?.close();
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  if (kafkaRefused) throw kafkaRefused;
  if (failure) throw failure;
  return left > 0 ? 1 : 0;
}
