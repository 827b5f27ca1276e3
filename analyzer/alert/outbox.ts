// Delivers stored alerts to every sink — the Kafka alerts topic and configured webhooks (JSON
// body, or Slack-compatible {"text"}) — and records each delivery in ClickHouse. Undelivered
// alerts are retried every round, so an outage of a sink delays alerts but loses none.
// Limit: a crash between a delivery and its record repeats that one delivery (consumers of the
// alerts topic can deduplicate on alert_id, which is also in every webhook body).

import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { errorMessage } from '../../common/errors.js';
import type { AlertRow } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import type { Store } from '../store/store.js';
import { recordDelivery, undelivered } from '../store/writes.js';

export interface Sink {
  name: string;
  deliver(a: AlertRow): Promise<void>;
}

export function kafkaSink(producer: Producer, topic: string): Sink {
  return {
    name: 'kafka',
    async deliver(a) {
      await producer.send({ topic, acks: -1, messages: [{ key: a.alert_id, value: JSON.stringify(toPayload(a)) }] });
    },
  };
}

export function webhookSink(url: string, slack: boolean): Sink {
  return {
    name: `${slack ? 'slack' : 'webhook'}:${url}`,
    async deliver(a) {
      const body = slack ? { text: `[porthole ${a.severity}] ${a.message}` } : toPayload(a);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
        });
      } catch (err) {
        throw new AnalyzerError('SINK_FAILED', errorMessage(err), { retriable: true, cause: err });
      }
      // `retriable`: whether resending as is may succeed (server error, rate limit); the outbox
      // resends every undelivered alert each round whatever it says
      if (!res.ok)
        throw new AnalyzerError('SINK_FAILED', `HTTP ${res.status}`, {
          retriable: res.status >= 500 || res.status === 429,
        });
    },
  };
}

export function toPayload(a: AlertRow): Record<string, unknown> {
  let details: unknown = a.details;
  try {
    details = JSON.parse(a.details);
  } catch {
    /* keep the text */
  }
  return {
    alert_id: a.alert_id,
    ts: a.ts,
    kind: a.kind,
    severity: a.severity,
    ip: a.ip,
    proto: a.proto,
    port: a.port,
    message: a.message,
    details,
  };
}

export function createOutbox(store: Store, sinks: Sink[], logger: Logger): { round(): Promise<number> } {
  const failing = new Set<string>();
  let busy = false;
  return {
    async round() {
      if (busy) return 0;
      busy = true;
      let sent = 0;
      try {
        for (const sink of sinks) {
          const pending = await undelivered(store, sink.name);
          for (const a of pending) {
            try {
              await sink.deliver(a);
            } catch (err) {
              if (!failing.has(sink.name))
                logger.warn({ sink: sink.name, err: errorMessage(err) }, 'alert sink failing; will retry');
              failing.add(sink.name);
              break;
            }
            failing.delete(sink.name);
            await recordDelivery(store, a.alert_id, sink.name, Date.now());
            sent++;
          }
        }
      } catch (err) {
        logger.warn({ err: errorMessage(err) }, 'alert outbox round failed; will retry');
      } finally {
        busy = false;
      }
      return sent;
    },
  };
}
