// Log lines of a long-running command, through the real binary: JSON when stdout is a pipe,
// readable lines on a terminal (run under `script`, which gives the command a pseudo-terminal),
// and log.format (PORTHOLE_LOG_FORMAT) forcing either. The analyzer is pointed at a loopback
// port nothing listens on, so its first line is the warning that ClickHouse is unreachable.

import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/porthole.js';

let deadPort = 0;
beforeAll(async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  deadPort = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
});

/** The first line the command writes on stdout; the command (its process group) is then stopped. */
function firstLine(cmd: string[], env: Record<string, string>): Promise<string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTHOLE_')));
  const p = spawn(cmd[0], cmd.slice(1), {
    env: { ...clean, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const stop = (): void => {
      clearTimeout(timer);
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no line within 20 s: ${out}`));
    }, 20_000);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        stop();
        resolve(out.slice(0, nl).replace(/\r$/, ''));
      }
    });
    p.on('error', reject);
  });
}

const analyzer = (): string[] => [process.execPath, BIN, 'analyzer', '--clickhouse', `http://127.0.0.1:${deadPort}`];
const hasScript = spawnSync('script', ['--version']).status === 0;
/** The analyzer on a pseudo-terminal. */
const onTerminal = (): string[] => ['script', '-qefc', analyzer().join(' '), '/dev/null'];
const ESC = String.fromCharCode(27);

describe('log format', () => {
  it('JSON lines when stdout is not a terminal', async () => {
    const line = await firstLine(analyzer(), {});
    expect(JSON.parse(line)).toMatchObject({ level: 40, msg: 'clickhouse unavailable; retrying' });
  });

  it('readable lines when log.format is pretty, without colours on a pipe', async () => {
    const line = await firstLine(analyzer(), { PORTHOLE_LOG_FORMAT: 'pretty' });
    expect(() => JSON.parse(line)).toThrow();
    expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: clickhouse unavailable; retrying/);
    expect(line).not.toContain(ESC);
  });

  it.skipIf(!hasScript)('readable, coloured lines on a terminal; JSON there when log.format is json', async () => {
    const pretty = await firstLine(onTerminal(), {});
    expect(pretty).toContain(ESC);
    expect(pretty).toMatch(/WARN.*clickhouse unavailable; retrying/);
    const json = await firstLine(onTerminal(), { PORTHOLE_LOG_FORMAT: 'json' });
    expect(JSON.parse(json)).toMatchObject({ level: 40, service: 'porthole-analyzer' });
  });
});
