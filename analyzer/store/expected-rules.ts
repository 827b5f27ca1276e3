// The expected-service rules' reads: each rule's current version (GROUP BY rule_id, argMax by
// version; removed rules have active = 0) and the audit trail. Writes are plain inserts
// (writes.ts insertRows). Every statement runs on 18.16 and current ClickHouse
// (test/analyzer/store-engines.int.test.ts).

import type { ExpectedAuditRow, ExpectedRuleRow } from '../../schemas/tables.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';

/** Every rule in force (its latest version active), by rule id. */
export async function activeRuleRows(s: Store): Promise<ExpectedRuleRow[]> {
  const rows = await s.select<Record<string, unknown>>(
    'expected rules',
    `SELECT rule_id, argMax(net, version) AS r_net, argMax(port, version) AS r_port, max(version) AS r_version,
            argMax(actor, version) AS r_actor, argMax(note, version) AS r_note
       FROM ${s.table('expected_rules')} GROUP BY rule_id HAVING argMax(active, version) = 1 ORDER BY rule_id`,
  );
  return rows.map((r) => ({
    rule_id: r.rule_id as string,
    net: r.r_net as string,
    port: Number(r.r_port),
    active: 1,
    version: u64(r.r_version),
    actor: r.r_actor as string,
    note: r.r_note as string,
  }));
}

/** The latest version of one rule, active or removed; null when it never existed. */
export async function latestRuleVersion(s: Store, ruleId: string): Promise<number | null> {
  const rows = await s.select<{ v: unknown; n: unknown }>(
    'expected rule version',
    `SELECT max(version) AS v, count() AS n FROM ${s.table('expected_rules')} WHERE rule_id = ${lit(ruleId)}`,
  );
  return u64(rows[0]?.n ?? 0) > 0 ? u64(rows[0].v) : null;
}

/** Every change to the rules, oldest first. */
export async function auditRows(s: Store): Promise<ExpectedAuditRow[]> {
  const rows = await s.select<Record<string, unknown>>(
    'expected audit',
    `SELECT ts, actor, action, rule_id, note FROM ${s.table('expected_audit')} FINAL ORDER BY ts, rule_id`,
  );
  return rows.map((r) => ({
    ts: u64(r.ts),
    actor: r.actor as string,
    action: r.action as string,
    rule_id: r.rule_id as string,
    note: r.note as string,
  }));
}
