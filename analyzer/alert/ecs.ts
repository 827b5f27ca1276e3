// An alert as an Elastic Common Schema (ECS) document, the message on the Kafka alerts topic:
// standard fields for what ECS names (time, event, rule, destination, source, network, observer,
// owner), and every Porthole field as before under `porthole` (what the verifier reads). Pure.
// Host-level alerts (no port) and the first-start notice (no address) leave those fields out.

import type { AlertRow } from '../../schemas/tables.js';
import { SEVERITY_0_10 } from './cef.js';
import { toPayload } from './sinks.js';

/** ECS event.type per alert kind (values allowed with event.category "network"). */
const EVENT_TYPE: Record<string, string[]> = {
  new_service: ['start'],
  reopened_service: ['start'],
  service_changed: ['protocol'],
  dormant_exposure: ['start'],
};

export function ecsAlert(a: AlertRow, version: string): Record<string, unknown> {
  const porthole = toPayload(a);
  const d = (porthole.details ?? {}) as Record<string, unknown>;
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(a.ts).toISOString(),
    message: a.message,
    ecs: { version: '8.11.0' },
    event: {
      kind: 'alert',
      category: ['network'],
      type: EVENT_TYPE[a.kind] ?? ['info'],
      action: a.kind,
      severity: SEVERITY_0_10[a.severity] ?? 0,
      id: a.alert_id,
      created: new Date(a.stored_at || a.ts).toISOString(),
      module: 'porthole',
      dataset: 'porthole.alerts',
    },
    rule: { name: a.kind },
    observer: {
      vendor: 'Porthole',
      product: 'Porthole',
      type: 'sensor',
      version,
      ...(typeof d.sensor === 'string' && d.sensor ? { name: d.sensor } : {}),
    },
    labels: { severity: a.severity, ...(a.owner ? { owner: a.owner } : {}) },
    porthole,
  };
  if (a.ip) doc.destination = { ip: a.ip, ...(a.port ? { port: a.port } : {}) };
  if (a.ip) doc.network = { transport: a.proto, type: a.ip.includes(':') ? 'ipv6' : 'ipv4' };
  if (typeof d.sample_client === 'string' && d.sample_client) doc.source = { ip: d.sample_client };
  if (a.owner) doc.organization = { name: a.owner };
  return doc;
}
