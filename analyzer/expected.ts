// Expected services stored in ClickHouse (`porthole expect`): add and remove rules, each change
// a new version of the rule (nothing is deleted) and a line in the audit table, and load the
// rules in force. Stored rules are kept disjoint: a rule overlapping one in force (same port,
// one network containing the other) is refused. The analyzer's expected services are the
// config file's (policy.expected) plus these (expected-refresh.ts). Two people changing rules at
// the same moment are not serialised.

import type { ExpectedRuleRow } from '../schemas/tables.js';
import { AnalyzerError } from './errors.js';
import { overlaps, parseRule, type Rule } from './expected-rules.js';
import { activeRuleRows, latestRuleVersion } from './store/expected-rules.js';
import type { Store } from './store/store.js';
import { insertRows } from './store/writes.js';

/** The stored rules in force, parsed (a row that no longer parses is skipped). */
export async function loadStoredRules(s: Store): Promise<Rule[]> {
  return (await activeRuleRows(s)).flatMap((r) => {
    const rule = parseRule(r.rule_id);
    return 'error' in rule ? [] : [rule];
  });
}

/** A rule in force as people see it: where it comes from, and for a stored one who added it, why and when. */
export interface RuleView {
  rule_id: string;
  net: string;
  port: number;
  source: 'config' | 'stored';
  /** '' for a rule of the config file */
  actor: string;
  note: string;
  /** ms of the change that put it in force (0 for the config file's) */
  version: number;
}

/** A stored rule's version as a RuleView. */
export function storedRuleView(r: ExpectedRuleRow): RuleView {
  return {
    rule_id: r.rule_id,
    net: r.net,
    port: r.port,
    source: 'stored',
    actor: r.actor,
    note: r.note,
    version: r.version,
  };
}

/** Every rule in force: the config file's (policy.expected), then the stored ones by rule id. */
export async function rulesInForce(s: Store, configRules: readonly Rule[]): Promise<RuleView[]> {
  const config = configRules.map(
    (r): RuleView => ({
      rule_id: r.id,
      net: r.net.text,
      port: r.port,
      source: 'config',
      actor: '',
      note: '',
      version: 0,
    }),
  );
  return [...config, ...(await activeRuleRows(s)).map(storedRuleView)];
}

/**
 * Store one change: the audit line first, then the rule's new version (a failure between them
 * leaves a line for a change not made, never a change without a line).
 */
async function change(s: Store, rule: Rule, active: boolean, actor: string, note: string, at: number) {
  const prior = await latestRuleVersion(s, rule.id);
  const version = Math.max(at, (prior ?? 0) + 1);
  await insertRows(s, 'expected_audit', [
    { ts: version, actor, action: active ? 'add' : 'remove', rule_id: rule.id, note },
  ]);
  const row: ExpectedRuleRow = {
    rule_id: rule.id,
    net: rule.net.text,
    port: rule.port,
    active: active ? 1 : 0,
    version,
    actor,
    note,
  };
  await insertRows(s, 'expected_rules', [row]);
  return row;
}

/** Add a rule; CONFLICT (nothing stored) when it overlaps a rule in force, named in the message. */
export async function addRule(s: Store, rule: Rule, actor: string, note: string, at = Date.now()) {
  const clash = (await activeRuleRows(s)).find((r) => {
    const other = parseRule(r.rule_id);
    return !('error' in other) && overlaps(rule, other);
  });
  if (clash)
    throw new AnalyzerError(
      'CONFLICT',
      `${rule.id} overlaps the rule in force ${clash.rule_id} (added by ${clash.actor}: ${JSON.stringify(clash.note)}); nothing changed`,
    );
  return change(s, rule, true, actor, note, at);
}

/** Remove a rule in force (the same network and port); NOT_FOUND when there is none. */
export async function removeRule(s: Store, rule: Rule, actor: string, note: string, at = Date.now()) {
  if (!(await activeRuleRows(s)).some((r) => r.rule_id === rule.id))
    throw new AnalyzerError('NOT_FOUND', `no rule in force ${rule.id} (porthole expect --list shows them)`);
  return change(s, rule, false, actor, note, at);
}
