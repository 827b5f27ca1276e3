// Publishes queued messages to Kafka with kafkajs: batches by size and time, gzip, acks=all,
// idempotent producer. Capture never waits for it: messages go into bounded queues, and while
// Kafka is down or slow the publisher retries with backoff, logging once per outage, and the
// queues drop their oldest entries past their limit (counted). stop() flushes what is queued.
// A security failure (authentication refused, a certificate refused) is not an outage: the
// publisher stops retrying and hands it to `onFatal` (common/kafka-failure.ts).
// Limit: a batch whose acknowledgement was lost is sent again, so consumers must tolerate a
// duplicate (Observations carry a natural key for that: sensor, ip, port, window_start).

import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { errorMessage } from '../../common/errors.js';
import { ensureTopics, kafkaClient, type TopicSpec } from '../../common/kafka.js';
import { type KafkaError, kafkaSecurityFailure } from '../../common/kafka-failure.js';
import type { KafkaSecurity } from '../../common/kafka-security.js';
import { Backoff } from '../../common/retry.js';
import { sleep } from '../../common/time.js';
import { BoundedQueue } from './bounded-queue.js';

export interface PublisherOptions {
  brokers: string[];
  clientId: string;
  security: KafkaSecurity;
  topics: TopicSpec[];
  queueLimit: number; // per topic
  batchSize: number;
  lingerMs: number;
  logger: Logger;
  /** called once when Kafka refuses this client for good; the publisher has stopped sending */
  onFatal(err: KafkaError): void;
}

export interface PublisherStats {
  queued: number;
  dropped: number;
  droppedByTopic: Record<string, number>;
  published: number;
  sendErrors: number;
  connected: boolean;
}

export interface Publisher {
  start(): void;
  publish(topic: string, key: string, value: string): void;
  stats(): PublisherStats;
  /** Flush what is queued (up to timeoutMs) and disconnect. */
  stop(timeoutMs: number): Promise<void>;
}

export function createPublisher(o: PublisherOptions): Publisher {
  const conn = { brokers: o.brokers, clientId: o.clientId, security: o.security };
  const kafka = kafkaClient(conn, 'quick');
  const queues = new Map(o.topics.map((t) => [t.topic, new BoundedQueue<Message>(o.queueLimit)]));
  let producer: Producer | null = null;
  let connected = false;
  let running = false;
  let stopping = false;
  let published = 0;
  let sendErrors = 0;
  let wake: (() => void) | null = null;
  let loopDone: Promise<void> = Promise.resolve();
  let outageSince: number | null = null;

  const queuedCount = (): number => [...queues.values()].reduce((n, q) => n + q.length, 0);

  function outage(err: unknown, what: string): void {
    if (outageSince === null) {
      outageSince = Date.now();
      o.logger.warn(
        { err: errorMessage(err), brokers: o.brokers },
        `kafka unreachable (${what}); buffering and retrying`,
      );
    }
  }

  async function connect(): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const created = await ensureTopics(admin, o.topics);
      if (created.length) o.logger.info({ topics: created }, 'created topics');
    } finally {
      await admin.disconnect().catch(() => {});
    }
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    connected = true;
    if (outageSince !== null) {
      o.logger.info({ downForMs: Date.now() - outageSince, queued: queuedCount() }, 'kafka reachable again');
      outageSince = null;
    }
  }

  async function sendOnce(): Promise<boolean> {
    let sent = false;
    for (const [topic, q] of queues) {
      if (q.length === 0) continue;
      const batch = q.take(o.batchSize);
      try {
        await producer!.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: batch });
        published += batch.length;
        sent = true;
      } catch (err) {
        q.unshift(batch);
        sendErrors++;
        throw err;
      }
    }
    return sent;
  }

  async function loop(): Promise<void> {
    const backoff = new Backoff(250, 5000);
    while (running || (stopping && queuedCount() > 0)) {
      try {
        if (!connected) await connect();
        if (queuedCount() === 0) {
          if (stopping) break;
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 1000).unref();
          });
          wake = null;
          continue;
        }
        if (!stopping && queuedCount() < o.batchSize) await sleep(o.lingerMs, true);
        await sendOnce();
        backoff.reset();
      } catch (err) {
        const fatal = kafkaSecurityFailure(err, conn);
        if (fatal) {
          running = false;
          o.onFatal(fatal);
          return;
        }
        outage(err, connected ? 'send failed' : 'connect failed');
        if (connected) {
          connected = false;
          await producer?.disconnect().catch(() => {});
          producer = null;
        }
        if (!running && !stopping) return; // stop() gave up waiting (a flush retries until then)
        await sleep(backoff.next(), true);
      }
    }
  }

  return {
    start() {
      running = true;
      loopDone = loop();
    },
    publish(topic, key, value) {
      const q = queues.get(topic);
      if (!q) throw new Error(`publisher: unknown topic ${topic}`);
      q.push({ key, value });
      if (wake) wake();
    },
    stats() {
      return {
        queued: queuedCount(),
        dropped: [...queues.values()].reduce((n, q) => n + q.dropped, 0),
        droppedByTopic: Object.fromEntries([...queues].map(([t, q]) => [t, q.dropped])),
        published,
        sendErrors,
        connected,
      };
    },
    async stop(timeoutMs) {
      stopping = true;
      running = false;
      wake?.();
      let timer: NodeJS.Timeout | undefined;
      // a referenced timer: the process must not exit while the flush is pending
      await Promise.race([loopDone, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      stopping = false; // a loop still retrying ends at its next check
      await producer?.disconnect().catch(() => {});
    },
  };
}
