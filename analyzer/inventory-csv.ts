// The inventory's CSV columns (`porthole services --csv` and the API's CSV export): times in
// ISO 8601 UTC, the latest verification.

import type { CsvColumn } from '../common/csv.js';
import type { InventoryRow } from './inventory.js';

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** The columns of `porthole services --csv`: times in ISO 8601 UTC, the latest verification. */
export const SERVICE_CSV: CsvColumn<InventoryRow>[] = [
  { name: 'ip', value: (r) => r.ip },
  { name: 'port', value: (r) => r.port },
  { name: 'proto', value: (r) => r.proto },
  { name: 'state', value: (r) => r.state },
  { name: 'exposed_since', value: (r) => iso(r.exposed_since) },
  { name: 'first_seen', value: (r) => iso(r.first_seen) },
  { name: 'last_seen', value: (r) => iso(r.last_seen) },
  { name: 'handshakes', value: (r) => r.handshakes },
  { name: 'clients', value: (r) => r.clients },
  { name: 'clients_internal', value: (r) => r.audience.internal },
  { name: 'clients_internet', value: (r) => r.audience.internet },
  { name: 'evidence', value: (r) => r.evidence },
  { name: 'internet_exposed', value: (r) => r.internet_exposed },
  { name: 'owner', value: (r) => r.owner },
  { name: 'tags', value: (r) => r.tags.join(' ') },
  { name: 'sensors', value: (r) => r.sensors.join(' ') },
  { name: 'verification', value: (r) => r.verification?.status },
  { name: 'service', value: (r) => r.verification?.service },
  { name: 'product', value: (r) => r.verification?.product },
  { name: 'version', value: (r) => r.verification?.version },
];
