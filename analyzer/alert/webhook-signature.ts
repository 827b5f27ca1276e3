// Signed webhook deliveries: with a signing secret, every JSON webhook POST carries
//   Porthole-Signature: t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, t + "." + body))
// over the exact bytes of the body, made when the request is sent (a resend is signed anew). A
// receiver recomputes it and refuses a timestamp outside its tolerance, so a recorded delivery
// cannot be replayed later (docs/alerts.md has the receiver's check).

import { createHmac } from 'node:crypto';
import type { Secret } from '../../common/secret.js';

export const SIGNATURE_HEADER = 'Porthole-Signature';

/** The header value for `body` sent at `nowMs`. */
export function signatureHeader(secret: Secret, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret.reveal()).update(`${t}.`).update(body).digest('hex');
  return `t=${t},v1=${v1}`;
}
