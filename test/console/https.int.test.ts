// The console over HTTPS (console.tlsCert, console.tlsKey): the session cookie is Secure,
// HttpOnly and SameSite=Strict, responses carry HSTS, and plain HTTP on its port gets nothing.
// Uses the certificate deploy/local.sh made for ClickHouse (127.0.0.1, signed by the local CA).

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDb, randomDb } from '../support/clickhouse.js';
import { startTestConsole, TEST_PASSWORD, type TestConsole } from '../support/console.js';
import { CA_FILE, requireSecuredPorts } from '../support/secure.js';

const TLS_DIR = CA_FILE.replace(/ca\.pem$/, '');
const db = randomDb();
let c: TestConsole;

function httpsPost(
  url: string,
  body: string,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca: readFileSync(CA_FILE), headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  await requireSecuredPorts();
  c = await startTestConsole(db, {
    'console.tlsCert': `${TLS_DIR}clickhouse.crt`,
    'console.tlsKey': `${TLS_DIR}clickhouse.key`,
    'console.publicUrl': 'https://127.0.0.1:8080',
    'console.metricsListen': '127.0.0.1:0',
  });
  await c.addUser('ann', 'analyst');
});

afterAll(async () => {
  await c?.close();
  await dropDb(db);
});

describe('console over HTTPS', () => {
  it('listens on https and sets a Secure, HttpOnly, SameSite=Strict session cookie with HSTS', async () => {
    expect(c.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await httpsPost(`${c.url}/api/v1/session`, JSON.stringify({ name: 'ann', password: TEST_PASSWORD }));
    expect(r.status).toBe(200);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/^porthole_session=/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(String(r.headers['strict-transport-security'])).toMatch(/max-age=\d+/);
    expect(r.text).not.toContain(TEST_PASSWORD);
  });

  it('serves its Prometheus metrics on their own plain-HTTP address: requests by route, logins', async () => {
    expect(c.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await (await fetch(c.metricsUrl!)).text();
    expect(text).toMatch(/porthole_console_logins_total\{outcome="ok"\} 1/);
    expect(text).toMatch(
      /porthole_console_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/session",status="200"\} 1/,
    );
    expect(text).toMatch(/porthole_console_sessions 1/);
  });

  it('answers nothing useful to plain HTTP on its port', async () => {
    const plain = c.url.replace(/^https:/, 'http:');
    const r = await fetch(`${plain}/api/v1/login-options`).then(
      (x) => x.status,
      () => 'refused',
    );
    expect(r === 'refused' || r === 400).toBe(true);
  });
});
