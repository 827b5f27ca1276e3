// Rough edges a new user hits, through the real `porthole` binary: each bad flag, environment
// value, file or unreachable server gives exactly one line on stderr naming the key or option
// and the value, no stack trace, and a non-zero exit. Nothing here reaches a running service:
// the unreachable ClickHouse is a loopback port nothing listens on.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/porthole.js';

/** The environment without the caller's PORTHOLE_* settings, plus `env`. */
function run(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTHOLE_')));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exactly one line on stderr, no stack, this exit status; the line matches every pattern. */
function oneLine(r: ReturnType<typeof run>, status: number, ...patterns: RegExp[]): string {
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.status).toBe(status);
  for (const p of patterns) expect(lines[0]).toMatch(p);
  return lines[0];
}

let dir = '';
let deadPort = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-errors-'));
  // a loopback port that was free a moment ago: nothing listens there
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  deadPort = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one line for each rough error', () => {
  it('a ClickHouse URL that is not one: the key and the value, exit 2', () => {
    oneLine(run(['services', '--clickhouse', 'notaurl']), 2, /clickhouse\.url/, /"notaurl"/);
    oneLine(run(['host', '10.1.2.3', '--clickhouse', 'ftp://x']), 2, /clickhouse\.url/, /not an http\(s\) URL/);
    // the ClickHouse client would throw on its own options in a query string
    oneLine(run(['alerts', '--clickhouse', 'http://127.0.0.1:8123/?x=1']), 2, /clickhouse\.url/, /query string/);
    oneLine(run(['report'], { PORTHOLE_CLICKHOUSE_URL: 'http://127.0.0.1:99999' }), 2, /PORTHOLE_CLICKHOUSE_URL/);
  });

  it('a URL with credentials is refused without repeating them', () => {
    const line = oneLine(run(['services', '--clickhouse', 'http://u:s3cret@127.0.0.1:8123']), 2, /clickhouse\.url/);
    expect(line).not.toMatch(/s3cret/);
  });

  it('a bad webhook URL names its key and place, never the URL (it may hold a token)', () => {
    const line = oneLine(
      run(['analyzer'], { PORTHOLE_ALERTS_WEBHOOKS: 'https://hooks.example/ok,http//tok3n' }),
      2,
      /alerts\.webhooks/,
      /entry 2/,
    );
    expect(line).not.toMatch(/tok3n/);
  });

  it.each([
    ['sensor', ['sensor', '--pcap', '/nonexistent.pcap']],
    ['analyzer', ['analyzer']],
    ['verifier', ['verifier']],
  ])('%s: brokers that are not host:port are refused at start-up', (_name, args) => {
    oneLine(run(args, { PORTHOLE_KAFKA_BROKERS: 'nohostport' }), 2, /kafka\.brokers/, /"nohostport": not host:port/);
    oneLine(
      run([...args, '--brokers', 'k1:9092,k2:0']),
      2,
      /kafka\.brokers \(flag\)/,
      /"k2:0": port must be 1\.\.65535/,
    );
    oneLine(run([...args, '--brokers', 'k1:65536']), 2, /"k1:65536"/);
    oneLine(run([...args, '--brokers', '']), 2, /kafka\.brokers \(flag\): must list at least one host:port/);
  });

  it('a directory given as a capture file', () => {
    oneLine(run(['replay', dir]), 1, new RegExp(`${dir}: is a directory`));
  });

  it('an unknown option: named once, quotes balanced, the help pointed to', () => {
    const line = oneLine(run(['replay', '--bogus']), 2, /unknown option --bogus \(see porthole replay --help\)/);
    expect(line.split('"').length % 2).toBe(1);
    expect(line.split("'").length % 2).toBe(1);
  });

  it('a negative number after an option, with or without "="', () => {
    oneLine(run(['sensor', '--buffer-mb', '-5']), 2, /--buffer-mb -5/, /--buffer-mb=-5/);
    oneLine(run(['sensor', '--buffer-mb=-5', '--print-filter']), 2, /capture\.bufferMb \(flag\)/, /"-5"/);
  });

  it('an option without its value, a value for a switch, an argument a command does not take', () => {
    oneLine(run(['sensor', '--iface']), 2, /--iface: a value is required/);
    oneLine(run(['sensor', '--iface', '--print-filter']), 2, /--iface: a value is required/);
    oneLine(run(['replay', '--json=yes', 'x.pcap']), 2, /--json takes no value/);
    oneLine(run(['services', 'extra']), 2, /unexpected argument "extra"/);
  });

  it('ClickHouse down: the URL it tried, not an internal name', () => {
    const url = `http://127.0.0.1:${deadPort}`;
    for (const args of [['host', '10.1.2.3'], ['services'], ['alerts'], ['report']]) {
      const line = oneLine(run([...args, '--clickhouse', url]), 1, new RegExp(`ClickHouse at ${url} unreachable`));
      expect(line).not.toMatch(/\((services|database|version)\)/);
    }
  });

  it('config files: missing, a directory, not JSON, not an object', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"kafka": {"brokers": "k:1",}');
    const list = join(dir, 'list.json');
    writeFileSync(list, '[1]');
    oneLine(run(['analyzer', '--config', join(dir, 'none.json')]), 2, /none\.json: no such file/);
    oneLine(run(['analyzer', '--config', dir]), 2, /is a directory/);
    oneLine(run(['sensor', '--config', bad, '--print-filter']), 2, /bad\.json: .*JSON/);
    oneLine(run(['verifier', '--config', list]), 2, /list\.json: must hold one JSON object/);
  });

  it('an empty value in a config file is checked, not taken for the default', () => {
    const f = join(dir, 'empty.json');
    writeFileSync(f, '{"clickhouse": {"url": ""}}');
    oneLine(run(['services', '--config', f]), 2, /clickhouse\.url \(config file\)/);
  });

  it('a metrics address that is not address:port, for each process', () => {
    oneLine(
      run(['sensor', '--pcap', '/nonexistent.pcap'], { PORTHOLE_METRICS_LISTEN: 'localhost:9464' }),
      2,
      /metrics\.listen \(PORTHOLE_METRICS_LISTEN\): not an IP address/,
      /"localhost:9464"/,
    );
    oneLine(run(['analyzer'], { PORTHOLE_METRICS_LISTEN: '127.0.0.1:99999' }), 2, /metrics\.listen .*port must be/);
    oneLine(run(['verifier'], { PORTHOLE_VERIFY_METRICS_LISTEN: '9466' }), 2, /verify\.metricsListen .*"9466"/);
  });

  it('log settings: a level or format pino does not have', () => {
    oneLine(run(['analyzer'], { PORTHOLE_LOG_LEVEL: 'loud' }), 2, /log\.level \(PORTHOLE_LOG_LEVEL\).*"loud"/);
    oneLine(run(['sensor', '--print-filter'], { PORTHOLE_LOG_FORMAT: 'xml' }), 2, /log\.format .*"xml"/);
  });

  it('prepare-mirror on an interface that does not exist', () => {
    oneLine(run(['prepare-mirror', 'nosuchif0']), 2, /no interface "nosuchif0"/);
    // a TAP's ports, as --iface lists them: every name is checked before anything is changed
    const r = run(['prepare-mirror', 'lo,nosuchif1']);
    oneLine(r, 2, /no interface "nosuchif1"/);
    expect(r.stdout).toBe('');
    const dry = run(['prepare-mirror', '--dry-run', 'eth1,eth2']);
    expect(dry.status).toBe(0);
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('ip link set dev'))).toEqual([
      'ip link set dev eth1 up promisc on',
      'ip link set dev eth2 up promisc on',
    ]);
  });
  it('a SYN-scanning verifier without the privilege nmap needs: refused at start, not at every verdict', () => {
    // as the user nobody with no capability: nmap would refuse each SYN scan
    const nobody = ['setpriv', '--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups', '--inh-caps', '-all'];
    const r = spawnSync(nobody[0], [...nobody.slice(1), process.execPath, BIN, 'verifier'], {
      env: {
        PATH: process.env.PATH,
        PORTHOLE_VERIFY_SCAN_TYPE: 'syn',
        PORTHOLE_CLICKHOUSE_URL: `http://127.0.0.1:${deadPort}`,
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    oneLine(
      { status: r.status, stdout: r.stdout, stderr: r.stderr },
      2,
      /^porthole: verify\.scanType syn: nmap may not send raw packets/,
    );
  });
});
