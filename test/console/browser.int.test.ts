// The console in a real browser (Debian's Chromium through playwright-core), on data made by the
// real pipeline: a capture with a known audience (internet and internal clients) goes through
// `porthole sensor --pcap`, then live traffic in a mirror lab goes through the capturing sensor,
// Kafka and the analyzer while the overview is open, and its alert appears there without a
// reload. An analyst acknowledges it with a note (the API names that account); a viewer gets no
// triage buttons and a forced POST is refused; the host page draws the exposure interval. Every
// view is saved as a full-page screenshot in test-output/console/ (the docs use some of them).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putUser } from '../../console/accounts.js';
import { loadConsoleConfig } from '../../console/config.js';
import { type RunningConsole, startConsole } from '../../console/main.js';
import { hashPassword } from '../../console/passwords.js';
import type { Role } from '../../console/roles.js';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { audienceCapture, SERVER as AUDIENCE_SERVER, WINDOW_MS } from '../support/audience.js';
import { chQuery } from '../support/clickhouse.js';
import { CONNECT_CLIENT, createMirrorLab, type MirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../support/netns.js';
import { startPipeline } from '../support/pipeline.js';
import { BIN } from '../support/porthole.js';
import type { PortholeProc } from '../support/porthole-process.js';

const OUT = 'test-output/console';
const PASSWORD = 'long enough password';
const USERS: Array<[string, Role]> = [
  ['ada-admin', 'admin'],
  ['ann-analyst', 'analyst'],
  ['vic-viewer', 'viewer'],
];
const LIVE_PORTS = [8080, 5432];
const tmp = mkdtempSync(join(tmpdir(), 'porthole-console-'));

let env: AnalyzerEnv;
let lab: MirrorLab;
const procs: PortholeProc[] = [];
let con: RunningConsole | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];
let liveAlert = '';
/** script errors and CSP violations of any page: none is expected */
const pageErrors: string[] = [];

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: not reached; last ${JSON.stringify(v).slice(0, 300)}`);
    await sleep(500);
  }
}

/** A page in the viewer's own time zone (not UTC, so local and UTC times differ), at laptop size. */
async function newPage(): Promise<Page> {
  const ctx = await browser!.newContext({ viewport: { width: 1366, height: 768 }, timezoneId: 'America/New_York' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // a CSP violation is logged as an error; a 404 of a route this console lacks is not one
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  return page;
}

async function logIn(page: Page, name: string): Promise<void> {
  await page.goto(con!.url);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.locator('#who').getByText(name).waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.locator('.loading').first().waitFor({ state: 'detached' });
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

async function view(page: Page, hash: string, ready: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.locator(ready).first().waitFor();
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  env = analyzerEnv();
  lab = createMirrorLab();
  // the live sensor knows the lab's addresses as home networks (its clients are internal)
  await startPipeline(env, lab.monitor, procs, {
    PORTHOLE_SENSOR_ID: 'edge-1',
    PORTHOLE_TRACK_HOME_NETWORKS: env.env.PORTHOLE_POLICY_HOME_NETWORKS,
    PORTHOLE_STATUS_INTERVAL: '1s',
  });
  // a capture whose audience is known, through a second sensor reading it from a file
  const file = join(tmp, 'audience.pcap');
  // three hours ago: its exposure is a long bar on the host page
  writeFileSync(file, audienceCapture(Math.floor((Date.now() - 3 * 3_600_000) / WINDOW_MS) * WINDOW_MS));
  const r = spawnSync(process.execPath, [BIN, 'sensor', '--pcap', file, '--window', '5s', '--sensor-id', 'edge-pcap'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      PORTHOLE_KAFKA_BROKERS: env.env.PORTHOLE_KAFKA_BROKERS,
      PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: env.obsTopic,
      PORTHOLE_KAFKA_STATUS_TOPIC: env.statusTopic,
    },
  });
  expect(r.status, r.stderr).toBe(0);
  const cfg = loadConsoleConfig({ env: { ...env.env, PORTHOLE_CONSOLE_LISTEN: '127.0.0.1:0' } });
  con = await startConsole({ cfg: cfg.console, analyzer: cfg.analyzer, log: false });
  const hash = await hashPassword(PASSWORD);
  for (const [name, role] of USERS)
    await putUser(con.ctx.store, { name, role, source: 'local', disabled: false, password_hash: hash });
  await until(
    'the capture alerted',
    () => chQuery<{ n: string }>(`SELECT count() AS n FROM ${env.db}.alerts WHERE ip = '${AUDIENCE_SERVER.ip}'`),
    (rows) => Number(rows[0]?.n) > 0,
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await con?.close();
  for (const p of procs) await p.stop();
  lab?.cleanup();
  await env?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('porthole console in a browser', () => {
  it('logs in through the form and shows a new alert live on the overview', async () => {
    const page = await newPage();
    await page.goto(con!.url);
    await page.getByRole('heading', { name: 'Log in to Porthole' }).waitFor();
    await shot(page, 'login');
    await page.getByLabel('Name').fill('ann-analyst');
    await page.getByLabel('Password').fill('not the password');
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'wrong name or password' }).waitFor();
    await logIn(page, 'ann-analyst');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('.live-on').waitFor();
    await page.locator(`tr[data-alert-id*="|${AUDIENCE_SERVER.ip}|"]`).first().waitFor();
    // a reload would lose this mark
    await page.evaluate(() => {
      (window as unknown as { mark: number }).mark = 1;
    });

    // live traffic through the capturing sensor, Kafka and the analyzer
    const server = lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, ...LIVE_PORTS.map(String)]);
    await new Promise<void>((ok) => server.stdout!.once('data', () => ok()));
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, ...LIVE_PORTS.map(String)]);
    const row = page.locator(`tr.fresh[data-alert-id*="|${SERVER_V4}|tcp|${LIVE_PORTS[0]}"]`);
    await row.waitFor({ timeout: 30_000 });
    liveAlert = (await row.getAttribute('data-alert-id'))!;
    expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(1);
    // every time is local, with its UTC time on hover
    const t = row.locator('time').first();
    expect(await t.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await t.textContent()).not.toContain('UTC');
    await page.locator(`tr[data-alert-id*="|${SERVER_V4}|tcp|${LIVE_PORTS[1]}"]`).waitFor({ timeout: 15_000 });
    await shot(page, 'overview');

    // triage: acknowledge with a note, through the dialog and the keyboard
    await row.locator('button[data-action="acknowledge"]').click();
    const note = page.getByRole('dialog').getByLabel('Note');
    expect(await note.evaluate((el) => el === document.activeElement)).toBe(true);
    await note.fill('seen in the browser test');
    await shot(page, 'triage');
    await note.press('Enter');
    await page.locator(`tr[data-alert-id="${liveAlert}"][data-state="acknowledged"]`).waitFor();
    const api = await page.request.get(`${con!.url}/api/v1/alerts/${encodeURIComponent(liveAlert)}`);
    expect(api.status()).toBe(200);
    const a = await api.json();
    expect(a).toMatchObject({ state: 'acknowledged', actor: 'ann-analyst', note: 'seen in the browser test' });
  });

  it('gives a viewer no triage buttons, and the server refuses a forced one', async () => {
    const page = await newPage();
    await logIn(page, 'vic-viewer');
    await view(page, '#/alerts', `tr[data-alert-id="${liveAlert}"]`);
    await page.getByText('Triage (acknowledge, resolve, assign, expect) needs the analyst role.').waitFor();
    expect(await page.locator('button[data-action]').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    const forced = await page.evaluate(async (id) => {
      const me = await (await fetch('/api/v1/session')).json();
      const r = await fetch(`/api/v1/alerts/${encodeURIComponent(id)}/resolve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf },
        body: JSON.stringify({ note: 'a viewer tries' }),
      });
      return { status: r.status, body: await r.json() };
    }, liveAlert);
    expect(forced).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  });

  it('draws the exposure interval on the host page, and shows every view', async () => {
    const page = await newPage();
    await logIn(page, 'ada-admin');
    await view(page, `#/host/${SERVER_V4}`, `rect.bar[data-port="${LIVE_PORTS[0]}"][data-open="true"]`);
    expect(await page.locator('rect.bar').count()).toBe(LIVE_PORTS.length);
    await page.locator(`tr[data-alert-id="${liveAlert}"]`).waitFor();
    await shot(page, 'host');
    await view(page, `#/host/${AUDIENCE_SERVER.ip}`, 'rect.bar');
    await page.locator('.view-head').getByText('reached from the internet').waitFor();
    await shot(page, 'host-internet');

    await view(page, '#/inventory', `tr[data-endpoint="${AUDIENCE_SERVER.ip}:${AUDIENCE_SERVER.port}"]`);
    await page.getByRole('button', { name: 'Clients' }).click();
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toBe('Clients');
    await shot(page, 'inventory');
    await page.getByLabel('Address or network').fill(AUDIENCE_SERVER.ip);
    await page.getByLabel('Address or network').press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-endpoint]').length === 1);
    const csv = await page.request.get(
      `${con!.url}${await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')}`,
    );
    expect(await csv.text()).toContain(AUDIENCE_SERVER.ip);
    // what the API refuses is said on the error line, and the form stays to correct it
    await page.getByLabel('Address or network').fill('10.0.0.0/33');
    await page.getByLabel('Address or network').press('Enter');
    await page.locator('#error', { hasText: 'not a CIDR' }).waitFor();
    expect(await page.getByLabel('Address or network').inputValue()).toBe('10.0.0.0/33');

    await view(page, '#/alerts', `tr[data-alert-id="${liveAlert}"]`);
    await shot(page, 'alerts');
    await view(page, `#/alerts/${encodeURIComponent(liveAlert)}`, 'text=seen in the browser test');
    await shot(page, 'alert');
    // a console without the sensor and rules routes says so; with them, the live sensor and the home networks show
    await view(page, '#/sensors', 'h1:text("Sensors")');
    await page
      .locator('p.note')
      .or(page.getByRole('link', { name: 'edge-1' }))
      .first()
      .waitFor();
    await shot(page, 'sensors');
    await view(page, '#/rules', 'h1:text("Rules")');
    await page.locator('p.note').or(page.getByText('192.0.2.0/24')).first().waitFor();
    await shot(page, 'rules');

    await view(page, '#/admin', 'h2:text("Accounts")');
    await page.getByLabel('Label', { exact: true }).fill('siem export');
    await page.getByLabel('Label', { exact: true }).press('Enter');
    const token = page.getByLabel('The new token');
    await token.waitFor();
    expect(await token.inputValue()).toMatch(/^ph_[0-9a-f]{16}\./);
    await page.locator('td', { hasText: 'siem export' }).waitFor();
    await shot(page, 'admin');
    // shown once: gone when the page is left
    await view(page, '#/', 'h1:text("Overview")');
    expect(await page.getByLabel('The new token').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
