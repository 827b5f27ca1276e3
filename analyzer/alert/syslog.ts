// Syslog as Porthole sends it: receiver targets (udp://, tcp://, tls://host:port), RFC 5424
// messages (facility security/authorization, severity from the alert's, APP-NAME porthole,
// MSGID the alert kind, no structured data, the MSG a CEF event without a BOM) and RFC 6587
// octet-counting frames for TCP and TLS. Pure; the sockets are in syslog-sink.ts.

/** RFC 5424 facility 4: security/authorization messages. */
const FACILITY = 4;
/** Syslog severities: 2 critical, 4 warning, 5 notice. */
const SYSLOG_SEVERITY: Record<string, number> = { high: 2, medium: 4, low: 5 };

export interface SyslogTarget {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** as configured, the sink's name */
  text: string;
}

/** "udp://host:port", "tcp://…", "tls://…"; an IPv6 host in brackets. */
export function parseSyslogTarget(s: string): SyslogTarget | null {
  const m = /^(udp|tcp|tls):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(s.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { transport: m[1] as SyslogTarget['transport'], host: m[2].replace(/^\[|\]$/g, ''), port, text: s.trim() };
}

/** Printable US-ASCII without spaces, at most `max` characters, "-" when empty (RFC 5424 header fields). */
function headerField(s: string, max: number): string {
  const t = s.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return t || '-';
}

export interface SyslogFields {
  ts: number;
  severity: string;
  hostname: string;
  procId: string;
  msgId: string;
  msg: string;
}

/** One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME porthole PROCID MSGID - MSG`. */
export function syslogMessage(f: SyslogFields): string {
  const pri = FACILITY * 8 + (SYSLOG_SEVERITY[f.severity] ?? 5);
  return [
    `<${pri}>1`,
    new Date(f.ts).toISOString(),
    headerField(f.hostname, 255),
    'porthole',
    headerField(f.procId, 128),
    headerField(f.msgId, 32),
    '-',
    f.msg,
  ].join(' ');
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
export function octetFrame(msg: string): Buffer {
  const body = Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
