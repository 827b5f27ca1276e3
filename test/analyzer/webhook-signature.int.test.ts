// Signed webhooks with the real analyzer: a receiver on 127.0.0.1 checks every request with the
// Node snippet docs/alerts.md gives (run from the document itself) and accepts the analyzer's
// deliveries; the same delivery replayed after the tolerance, a tampered body, a signature made
// with another secret and an unsigned request are refused by that check. The secret is never
// logged.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../analyzer/alert/webhook-signature.js';
import { Secret } from '../../common/secret.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { analyzerStarter, sendObservations, until } from '../support/analyzer-run.js';
import { observation } from '../support/observations.js';
import type { PortholeProc } from '../support/porthole-process.js';

type Verify = (header: unknown, body: string, secret: string, toleranceSeconds?: number, nowMs?: number) => boolean;

/** The receiver's check, exactly as docs/alerts.md shows it. */
async function documentedCheck(dir: string): Promise<Verify> {
  const doc = readFileSync(new URL('../../docs/alerts.md', import.meta.url), 'utf8');
  const after = doc.slice(doc.indexOf('<!-- verify-porthole-signature'));
  const code = /```js\n([\s\S]*?)```/.exec(after)?.[1];
  if (!code) throw new Error('docs/alerts.md: the verify-porthole-signature block is missing');
  const file = join(dir, 'verify.mjs');
  writeFileSync(file, code);
  return ((await import(file)) as { verifyPortholeSignature: Verify }).verifyPortholeSignature;
}

interface Delivery {
  header: string | undefined;
  body: string;
  status: number;
}

const dir = mkdtempSync(join(tmpdir(), 'porthole-hook-'));
const secret = randomBytes(32).toString('hex');
const secretFile = join(dir, 'webhook.secret');
const procs: PortholeProc[] = [];
const analyzer = analyzerStarter(procs);
const received: Delivery[] = [];
/** the receiver's clock, ahead of the real one by this much (a replay arriving later) */
let clockAheadMs = 0;
let server: Server;
let url: string;
let env: AnalyzerEnv;

beforeAll(async () => {
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  const verify = await documentedCheck(dir);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const header = req.headers['porthole-signature'] as string | undefined;
      const ok = verify(header, body, secret, 300, Date.now() + clockAheadMs);
      res.statusCode = ok ? 200 : 401;
      received.push({ header, body, status: res.statusCode });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  env = analyzerEnv({ PORTHOLE_ALERTS_WEBHOOKS: url, PORTHOLE_ALERTS_WEBHOOK_SECRET_FILE: secretFile });
});

afterAll(async () => {
  for (const p of procs.splice(0)) await p.stop();
  server?.close();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function post(header: string | undefined, body: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'porthole-signature': header } : {}) },
    body,
  });
  return res.status;
}

describe('signed webhooks', () => {
  it("the analyzer's deliveries pass the documented check; a replay, a tampered body, another secret do not", async () => {
    const a = await analyzer(env);
    await sendObservations(env, [observation({ ip: '192.0.2.41', port: 8443, window_start: Date.now() - 60_000 })]);
    await until(() => received.length >= 1, 30_000);
    const delivered = received[0];
    expect(delivered.status).toBe(200);
    expect(delivered.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(delivered.body)).toMatchObject({ kind: 'new_service', ip: '192.0.2.41', port: 8443 });
    await a.stop();
    expect(JSON.stringify(a.logs) + a.stderr.join('')).not.toContain(secret);

    // the same request again, arriving after the receiver's tolerance: refused
    clockAheadMs = 301_000;
    expect(await post(delivered.header, delivered.body)).toBe(401);
    clockAheadMs = 0;
    // within the tolerance it still passes (the receiver's own alert_id check covers that case)
    expect(await post(delivered.header, delivered.body)).toBe(200);
    // a body changed in transit, under the original signature
    expect(await post(delivered.header, delivered.body.replace('8443', '8444'))).toBe(401);
    // signed now, but with another secret
    const forged = signatureHeader(new Secret(randomBytes(32).toString('hex')), delivered.body, Date.now());
    expect(await post(forged, delivered.body)).toBe(401);
    // not signed at all
    expect(await post(undefined, delivered.body)).toBe(401);
    // and a fresh signature with the right secret passes: the check is not refusing everything
    expect(await post(signatureHeader(new Secret(secret), delivered.body, Date.now()), delivered.body)).toBe(200);
  });
});
