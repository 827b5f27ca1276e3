// Expected-service rules through the real `porthole expect` command, with two real analyzers in
// one consumer group, Kafka and ClickHouse: a rule added while both run is picked up by each
// within policy.rulesRefresh, after which new matching endpoints on either analyzer's partitions
// raise no alert while non-matching ones still do; removing it makes them alert again. Malformed
// rules (exit 2), an overlapping rule and the removal of a missing one (exit 1) change nothing.

import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { partitioner } from '../../analyzer/partitions.js';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { sendObservations as send, until } from '../support/analyzer-run.js';
import { CH_URL, chQuery, createDb } from '../support/clickhouse.js';
import { observation } from '../support/observations.js';
import { BIN } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
  await env?.cleanup();
  env = null;
});

const count = async (sql: string): Promise<number> => Number((await chQuery<{ c: string }>(sql))[0].c);

function expectCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'expect', ...args, '--clickhouse', CH_URL, '--database', env!.db], {
    encoding: 'utf8',
    env: { ...process.env, ...env!.env, USER: 'tester' }, // the analyzers' configuration (policy.expected)
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RULE = '10.60.0.0/16:8443';

describe('expected-service rules', () => {
  it('two analyzers in one group pick up a new rule without a restart', async () => {
    env = analyzerEnv({
      PORTHOLE_POLICY_HOME_NETWORKS: '10.0.0.0/8',
      PORTHOLE_POLICY_RULES_REFRESH: '1s',
      PORTHOLE_POLICY_EXPECTED: '10.70.0.0/16:22',
    });
    const status = (p: PortholeProc) =>
      [...p.logs].reverse().find((l) => l.msg === 'analyzer status')?.stats as { partitionsHeld: number[] } | undefined;
    const a = startPorthole(['analyzer'], env.env);
    procs.push(a);
    await a.waitFor((l) => l.msg === 'states loaded', 60_000);
    const b = startPorthole(['analyzer'], env.env);
    procs.push(b);
    await b.waitFor((l) => l.msg === 'states loaded', 60_000);
    const held = () => [status(a)?.partitionsHeld ?? [], status(b)?.partitionsHeld ?? []];
    expect(
      await until(() => {
        const [pa, pb] = held();
        return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 6;
      }, 60_000),
    ).toBe(true);

    // the rule, added while both run; each logs the change once it has read it
    const added = expectCli([RULE, '--note', 'load balancer pool', '--by', 'alice']);
    expect([added.status, added.stdout, added.stderr]).toEqual([0, `added ${RULE}\n`, '']);
    const changed = (p: PortholeProc, rules: number) =>
      p.waitFor((l) => l.msg === 'expected services changed' && l.rules === rules, 15_000);
    await Promise.all([changed(a, 2), changed(b, 2)]);

    // matching endpoints spread over the partitions of both analyzers, and two that do not match
    const partitionOf = partitioner(env.obsTopic, 6);
    const matching = Array.from({ length: 30 }, (_, i) => `10.60.${i}.${i + 1}`);
    const [pa, pb] = held();
    const hit = new Set(matching.map(partitionOf));
    expect(pa.some((p) => hit.has(p)) && pb.some((p) => hit.has(p))).toBe(true);
    const t = Date.now() - 60_000;
    await send(env, [
      ...matching.map((ip) => observation({ ip, port: 8443, window_start: t })),
      observation({ ip: '10.61.0.1', port: 8443, window_start: t }), // another network
      observation({ ip: '10.60.0.1', port: 9000, window_start: t }), // another port
      observation({ ip: '10.70.0.1', port: 22, window_start: t }), // the config file's rule still holds
    ]);
    const states = () => count(`SELECT count() AS c FROM ${env!.db}.endpoint_states FINAL`);
    expect(await until(async () => (await states()) === 33, 60_000)).toBe(true);
    await sleep(2000);
    const alerted = async () =>
      (
        await chQuery<{ ip: string; port: number }>(`SELECT ip, port FROM ${env!.db}.alerts FINAL ORDER BY ip, port`)
      ).map((r) => `${r.ip}:${r.port}`);
    expect(await alerted()).toEqual(['10.60.0.1:9000', '10.61.0.1:8443']);
    expect(
      await count(`SELECT count() AS c FROM ${env.db}.endpoint_states FINAL WHERE reason = 'expected' AND port = 8443`),
    ).toBe(30);

    // listed with the config file's rule; removed, and new matching endpoints alert again
    const listed = expectCli(['--list', '--json']);
    expect(
      listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { rule: '10.70.0.0/16:22', source: 'config', since: '', by: '', note: '' },
      expect.objectContaining({ rule: RULE, source: 'stored', by: 'alice', note: 'load balancer pool' }),
    ]);
    expect(expectCli(['--remove', RULE, '--note', 'pool retired']).status).toBe(0);
    await Promise.all([changed(a, 1), changed(b, 1)]);
    await send(env, [observation({ ip: '10.60.99.1', port: 8443, window_start: t })]);
    expect(await until(async () => (await alerted()).includes('10.60.99.1:8443'), 30_000)).toBe(true);

    const audit = expectCli(['--audit', '--json']);
    expect(
      audit.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .map((r) => `${r.by}|${r.action}|${r.rule}|${r.note}`),
    ).toEqual([`alice|add|${RULE}|load balancer pool`, `tester|remove|${RULE}|pool retired`]);
  }, 240_000);

  it('malformed, overlapping and missing rules are refused with one line; nothing changes', async () => {
    env = analyzerEnv();
    await createDb(env.db); // the commands refuse a database that does not exist
    expect(expectCli(['10.60.0.0/16:8443', '--note', 'pool']).status).toBe(0);
    const rows = () => count(`SELECT count() AS c FROM ${env!.db}.expected_rules`);
    const audits = () => count(`SELECT count() AS c FROM ${env!.db}.expected_audit`);
    const refused: Array<[string[], number, RegExp]> = [
      [['10.0.0.0/33:80', '--note', 'x'], 2, /not CIDR:port \(bad network\): "10\.0\.0\.0\/33:80"/],
      [['10.0.0.0/8:0', '--note', 'x'], 2, /port must be 1\.\.65535/],
      [['10.0.0.0/8:65536', '--note', 'x'], 2, /port must be 1\.\.65535/],
      [['10.0.0.0/8', '--note', 'x'], 2, /no port/],
      [['10.1.0.0/16:80'], 2, /--note TEXT is required/],
      [['--list', '--remove', RULE], 2, /give one of/],
      [['10.60.3.0/24:8443', '--note', 'x'], 1, /overlaps the rule in force 10\.60\.0\.0\/16:8443/],
      [['10.0.0.0/8:8443', '--note', 'x'], 1, /overlaps the rule in force 10\.60\.0\.0\/16:8443/],
      [['10.60.0.0/16:8443', '--note', 'x'], 1, /overlaps the rule in force/],
      [['--remove', '10.61.0.0/16:8443', '--note', 'x'], 1, /no rule in force 10\.61\.0\.0\/16:8443/],
    ];
    for (const [args, status, message] of refused) {
      const r = expectCli(args);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), status]);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect([await rows(), await audits()]).toEqual([1, 1]);
    const list = expectCli(['--list']);
    expect(list.stdout).toMatch(
      /^RULE\s+SOURCE\s+SINCE \(UTC\)\s+BY\s+NOTE\n10\.60\.0\.0\/16:8443\s+stored\s+\S+ \S+\s+tester\s+pool\n$/,
    );
  }, 60_000);
});
