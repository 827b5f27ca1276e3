// `porthole schema`: the DDL for a database name, and a name that is not one refused.

import { expect, it } from 'vitest';
import { porthole } from '../support/porthole.js';

it('prints the DDL for a valid database name and refuses any other', () => {
  const ok = porthole(['schema', '--database', 'inventory_db']);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toContain('CREATE MATERIALIZED VIEW IF NOT EXISTS inventory_db.inventory_from_observations');
  const bad = porthole(['schema', '--database', 'bad name;drop']);
  expect([bad.status, bad.stdout, bad.stderr]).toEqual([2, '', 'porthole: --database: letters, digits and _ only\n']);
});
