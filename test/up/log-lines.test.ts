// The combined log of `porthole up`: a part's JSON line keeps its fields and gets the part's
// name; a line that is not JSON becomes a record (an error for Porthole's `porthole: …` line on
// stderr); readable lines name the part before the message.

import { describe, expect, it } from 'vitest';
import { createLogLines } from '../../up/log-lines.js';

function capture(pretty: boolean) {
  const out: string[] = [];
  return { out, log: createLogLines({ pretty, colorize: false, write: (t) => out.push(t) }) };
}

describe('up log lines', () => {
  it('JSON: a part line keeps its fields and gets `part`', () => {
    const { out, log } = capture(false);
    const r = log.fromChild(
      'analyzer',
      'stdout',
      '{"level":30,"time":1,"service":"porthole-analyzer","msg":"schema ready","database":"x"}',
    );
    expect(r).toMatchObject({ part: 'analyzer', msg: 'schema ready', database: 'x', level: 30 });
    expect(JSON.parse(out[0])).toEqual({
      level: 30,
      time: 1,
      service: 'porthole-analyzer',
      msg: 'schema ready',
      database: 'x',
      part: 'analyzer',
    });
  });

  it("a part's one-line error on stderr is an error record; other text a warning; blank lines nothing", () => {
    const { out, log } = capture(false);
    expect(log.fromChild('sensor', 'stderr', 'porthole: interface eth9 does not exist')).toMatchObject({
      level: 50,
      part: 'sensor',
    });
    expect(log.fromChild('sensor', 'stderr', 'libpcap says hello')?.level).toBe(40);
    expect(log.fromChild('sensor', 'stdout', '   ')).toBeNull();
    expect(out).toHaveLength(2);
  });

  it('readable: time, level, the part, then the message', () => {
    const { out, log } = capture(true);
    log.fromChild(
      'console',
      'stdout',
      '{"level":30,"time":1796660406247,"msg":"console listening","url":"http://127.0.0.1:8080"}',
    );
    log.own('warn', 'analyzer exited; restarting', { inMs: 1000 });
    expect(out[0]).toMatch(/INFO: console {2}\| console listening \{"url":"http:\/\/127\.0\.0\.1:8080"\}\n$/);
    expect(out[1]).toMatch(/WARN: up {7}\| analyzer exited; restarting \{"inMs":1000\}\n$/);
  });
});
