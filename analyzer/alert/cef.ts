// An alert as an ArcSight CEF:0 event: `CEF:0|Porthole|Porthole|version|kind|message|severity|ext`.
// Pure. Header fields escape `\` and `|` (line breaks become spaces: a header is one line);
// extension values escape `\`, `=` and line breaks (\n, \r). IPv4 addresses go in dst/src,
// IPv6 ones in c6a3/c6a2 (CEF's dst/src hold IPv4 only).

import type { AlertRow } from '../../schemas/tables.js';

/** CEF severity (0-10) of an alert severity; also ECS event.severity. */
export const SEVERITY_0_10: Record<string, number> = { low: 3, medium: 6, high: 8 };

export function cefHeaderField(s: string): string {
  return s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, ' ');
}

export function cefExtensionValue(s: string): string {
  return s.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, (c) => (c === '\r' ? '\\r' : '\\n'));
}

function detailsOf(a: AlertRow): Record<string, unknown> {
  try {
    const d = JSON.parse(a.details) as unknown;
    return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The CEF extension pairs of an alert, in a fixed order; empty values are left out. */
export function cefExtensions(a: AlertRow): Array<[string, string]> {
  const d = detailsOf(a);
  const client = typeof d.sample_client === 'string' ? d.sample_client : '';
  const out: Array<[string, string]> = [
    ['rt', String(a.ts)],
    ['externalId', a.alert_id],
    ['cat', a.kind],
  ];
  if (a.ip.includes(':')) out.push(['c6a3', a.ip], ['c6a3Label', 'Destination IPv6 Address']);
  else if (a.ip) out.push(['dst', a.ip]);
  if (a.port) out.push(['dpt', String(a.port)]);
  if (a.proto) out.push(['proto', a.proto.toUpperCase()]);
  if (client.includes(':')) out.push(['c6a2', client], ['c6a2Label', 'Source IPv6 Address']);
  else if (client) out.push(['src', client]);
  if (typeof d.sensor === 'string' && d.sensor) out.push(['dvchost', d.sensor]);
  if (a.owner) out.push(['cs1', a.owner], ['cs1Label', 'owner']);
  out.push(['msg', a.message]);
  return out;
}

export function cefEvent(a: AlertRow, version: string): string {
  const header = ['CEF:0', 'Porthole', 'Porthole', version, a.kind, a.message, String(SEVERITY_0_10[a.severity] ?? 0)]
    .map((f, i) => (i === 0 ? f : cefHeaderField(f)))
    .join('|');
  const ext = cefExtensions(a)
    .map(([k, v]) => `${k}=${cefExtensionValue(v)}`)
    .join(' ');
  return `${header}|${ext}`;
}
