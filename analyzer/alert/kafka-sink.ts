// The Kafka alerts topic as a sink for machines (the verifier, SIEMs): every alert on its own,
// sent in batches, as an ECS document (alert/ecs.ts) keyed by alert_id, whoever owns it.

import type { Producer } from 'kafkajs';
import type { AlertRow } from '../../schemas/tables.js';
import { ecsAlert } from './ecs.js';
import type { Sink } from './sinks.js';

export function kafkaSink(producer: Producer, topic: string, version: string): Sink {
  const send = (alerts: AlertRow[]) =>
    producer.send({
      topic,
      acks: -1,
      messages: alerts.map((a) => ({ key: a.alert_id, value: JSON.stringify(ecsAlert(a, version)) })),
    });
  return {
    name: 'kafka',
    forPeople: false,
    async deliver(a) {
      await send([a]);
    },
    async deliverBatch(alerts) {
      await send(alerts);
    },
  };
}
