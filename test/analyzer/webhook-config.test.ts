// The webhooks' signing secrets as the analyzer resolves them: from a file or the environment,
// a team's own file for its webhooks, and refused when short, doubly given or for a team with no
// webhook; the secret itself never in a message or the printed config.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-whcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};
const main = file('main.secret', `${SECRET}\n`);
const web = file('web.secret', 'web-team-secret-0123456789\n');
const short = file('short.secret', 'tooshort\n');
const load = (env: Record<string, string>) => loadAnalyzerConfig({ env, flags: {} });
const problems = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('accepted');
};
const teams = {
  PORTHOLE_OWNERS_RULES: 'web=10.1.0.0/16',
  PORTHOLE_OWNERS_WEBHOOKS: 'web=https://hooks.example/web',
};

describe('webhook signing secrets', () => {
  it('none by default: webhooks are not signed', () => {
    expect(load({}).alerts.webhookSecret).toBeNull();
  });

  it('from a file or the environment; a team may have its own', () => {
    const c = load({
      ...teams,
      PORTHOLE_ALERTS_WEBHOOK_SECRET_FILE: main,
      PORTHOLE_OWNERS_WEBHOOK_SECRET_FILES: `web=${web}`,
    });
    expect(c.alerts.webhookSecret?.reveal()).toBe(SECRET);
    expect(c.alerts.ownerWebhookSecrets.get('web')?.reveal()).toBe('web-team-secret-0123456789');
    expect(JSON.stringify(c) + inspect(c, { depth: 10 })).not.toContain(SECRET);
    expect(load({ PORTHOLE_ALERTS_WEBHOOK_SECRET: SECRET }).alerts.webhookSecret?.reveal()).toBe(SECRET);
  });

  it('refused: too short, file and environment both, a team without a webhook; no secret in the line', () => {
    const m = problems({
      PORTHOLE_ALERTS_WEBHOOK_SECRET_FILE: short,
      PORTHOLE_OWNERS_RULES: 'web=10.1.0.0/16,dba=10.2.0.0/16',
      PORTHOLE_OWNERS_WEBHOOKS: 'web=https://hooks.example/web,dba=https://hooks.example/dba',
      PORTHOLE_OWNERS_WEBHOOK_SECRET_FILES: `ops=${web},dba`,
    });
    expect(m).toContain('alerts.webhookSecretFile: the signing secret is shorter than 16 characters');
    expect(m).toContain('owners.webhookSecretFiles: team ops has no webhook in owners.webhooks');
    expect(m).toContain('owners.webhookSecretFiles: an entry is not TEAM=FILE: "dba"');
    expect(m).not.toContain('tooshort');
    expect(problems({ PORTHOLE_ALERTS_WEBHOOK_SECRET_FILE: main, PORTHOLE_ALERTS_WEBHOOK_SECRET: SECRET })).toBe(
      'invalid configuration: alerts.webhookSecretFile and PORTHOLE_ALERTS_WEBHOOK_SECRET: give one of the two',
    );
  });
});
