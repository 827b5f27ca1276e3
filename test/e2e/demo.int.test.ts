// `porthole demo` end to end, as root, against the shared local Kafka and ClickHouse: within a
// minute of its start the console's API (logged in with the one-time account the demo prints)
// holds the new-service alert for the build box's new port, medium as its client came from the
// internet, and no other alert; nmap, inside the demo's namespace, finds the port open. Ctrl-C
// (SIGINT) then ends it, and nothing it made is left: no namespace, no process, no database, no
// topic, no folder; Kafka and ClickHouse still run.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { NEW_SERVICE } from '../../demo/story.js';
import { answers } from '../../up/local-services.js';
import { chQuery, dropDb } from '../support/clickhouse.js';
import { deleteTopics, kafkaClient } from '../support/kafka.js';
import { BIN } from '../support/porthole.js';

let demo: ChildProcess | null = null;
let tag = '';

/** Processes whose command line mentions `text` (read from /proc; nothing is signalled). */
function processesWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function demoTopics(prefix: string): Promise<string[]> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
}

afterAll(async () => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  if (tag) {
    // only what a failed run left behind
    for (const pid of processesWith(`porthole-demo-`))
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(tag)) process.kill(pid, 'SIGKILL');
    await dropDb(`porthole_demo_${tag}`);
    await deleteTopics(await demoTopics(`porthole-demo-${tag}.`));
  }
});

describe('porthole demo', () => {
  it('shows the new-service alert in the console within a minute and cleans up on Ctrl-C', async () => {
    const started = Date.now();
    demo = spawn(process.execPath, [BIN, 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    demo.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const waiters: Array<() => void> = [];
    let buf = '';
    demo.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
      for (const w of waiters.splice(0)) w();
    });
    const exited = new Promise<number | null>((r) => demo!.on('exit', (code) => r(code)));
    const line = (re: RegExp, ms: number): Promise<RegExpExecArray> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no line ${re} in ${ms} ms: ${lines.join('\n')}\n${stderr}`)), ms);
        const check = (): void => {
          for (const l of lines) {
            const m = re.exec(l);
            if (m) {
              clearTimeout(t);
              resolve(m);
              return;
            }
          }
          waiters.push(check);
        };
        check();
      });

    tag = (await line(/database porthole_demo_([0-9a-f]{6})/, 30_000))[1];
    const dir = (await line(/files in (\S+)/, 1000))[1];
    const [, url, name, password] = await line(/the console: (\S+) +account (\S+) +password (\S+)/, 60_000);
    // the console's API, as the person at the browser sees it
    const login = await fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    type Alert = { kind: string; ip: string; port: number; severity: string };
    let alerts: Alert[] = [];
    while (!alerts.some((a) => a.kind === 'new_service' && a.ip === NEW_SERVICE.ip && a.port === NEW_SERVICE.port)) {
      expect(Date.now() - started, 'the alert within a minute').toBeLessThan(60_000);
      await new Promise((r) => setTimeout(r, 500));
      const r = await fetch(`${url}/api/v1/alerts`, { headers: { cookie } });
      alerts = ((await r.json()) as { items: Alert[] }).items;
    }
    expect(alerts).toEqual([
      expect.objectContaining({ kind: 'new_service', severity: 'medium', ip: NEW_SERVICE.ip, port: NEW_SERVICE.port }),
    ]);

    // the demo's sensor reports to the demo's own status topic, which its analyzer stores
    const sensors = (await (await fetch(`${url}/api/v1/sensors`, { headers: { cookie } })).json()) as {
      items: Array<{ sensor: string }>;
    };
    expect(sensors.items.map((x) => x.sensor)).toEqual(['demo-span-port']);

    await line(/nmap verdict: verified_open/, 90_000);
    await line(/inventory: 10\.77\.0\.30:23 is stale/, 60_000);
    await line(/Ctrl-C ends the demo/, 10_000);
    expect(readdirSync('/var/run/netns').filter((n) => n.includes(tag))).toHaveLength(2);

    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(lines.at(-1)).toMatch(/done$/);
    expect(existsSync('/var/run/netns') ? readdirSync('/var/run/netns').filter((n) => n.includes(tag)) : []).toEqual(
      [],
    );
    expect(processesWith(dir)).toEqual([]);
    expect(processesWith(`porthole-demo-${tag}`)).toEqual([]);
    expect(await chQuery(`SELECT name FROM system.databases WHERE name = 'porthole_demo_${tag}'`)).toEqual([]);
    expect(await demoTopics(`porthole-demo-${tag}.`)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(await answers(9092)).toBe(true);
    expect(await answers(8123)).toBe(true);
  }, 240_000);
});
