// TLS helpers of the Kafka and ClickHouse clients: a CA file read and checked at start-up, and
// what a failed TLS connection means, read from Node's error codes anywhere in an error's
// `cause` chain: the server's certificate not trusted, not naming the host connected to, out of
// its validity dates, or no TLS at all on the other side. Clients turn it into one line naming
// the server and the key to check; none of these is retried.

import { X509Certificate } from 'node:crypto';
import { readKeyFile } from './secret.js';

/** The PEM text of a CA file named by a config key, checked to hold certificates; problems go to `errors`. */
export function readCaFile(key: string, path: string, errors: string[]): string | null {
  const text = readKeyFile(key, path, errors);
  if (text === null) return null;
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  try {
    if (blocks.length === 0) throw new Error('no certificate in it');
    for (const b of blocks) new X509Certificate(b);
  } catch (e) {
    errors.push(`${key}: not a PEM certificate file: ${path} (${(e as Error).message})`);
    return null;
  }
  return text;
}

export type TlsFailureKind = 'untrusted' | 'hostname' | 'expired' | 'handshake';

export interface TlsFailure {
  kind: TlsFailureKind;
  /** Node's own description, e.g. "unable to verify the first certificate" */
  detail: string;
}

const KINDS: Record<string, TlsFailureKind> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_SIGNATURE_FAILURE: 'untrusted',
  CERT_REJECTED: 'untrusted',
  INVALID_CA: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  ERR_SSL_WRONG_VERSION_NUMBER: 'handshake',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'handshake',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'handshake',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'handshake',
};

const WHAT: Record<TlsFailureKind, string> = {
  untrusted: 'TLS certificate not trusted',
  hostname: 'TLS certificate does not name this host',
  expired: 'TLS certificate outside its validity dates',
  handshake: 'TLS handshake failed (is this a TLS port?)',
};

/** The TLS failure behind `err`, or null when it is not one. */
export function tlsFailure(err: unknown): TlsFailure | null {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 6; depth++) {
    const kind = typeof e.code === 'string' ? KINDS[e.code] : undefined;
    if (kind) return { kind, detail: String(e.message ?? '').replace(/^Connection error: /, '') };
    e = e.cause as typeof e;
  }
  return null;
}

/** "TLS certificate not trusted (unable to verify the first certificate)" */
export function tlsFailureText(f: TlsFailure): string {
  return `${WHAT[f.kind]} (${f.detail})`;
}
