// The committed OpenAPI document (docs/openapi.json, what the web console and other clients are
// written against) is what the route schemas generate: the server is built (not served) on an
// in-process ClickHouse store, and its document compared byte for byte.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chdbEngine } from '../../analyzer/store/engine.js';
import { Store } from '../../analyzer/store/store.js';
import { loadConsoleConfig } from '../../console/config.js';
import { openapiDocument } from '../../console/openapi.js';

describe('OpenAPI document', () => {
  it('docs/openapi.json is what the route schemas generate (regenerate: porthole console --openapi > docs/openapi.json)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-openapi-'));
    const store = new Store({ database: 'porthole_openapi', engine: chdbEngine(dir) });
    try {
      const cfg = loadConsoleConfig({ env: {} });
      const doc = await openapiDocument(store, cfg.console, cfg.analyzer);
      expect(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')).toBe(doc);
      // every operation declares its responses, and every route of the API is in it
      const paths = JSON.parse(doc).paths as Record<string, Record<string, { responses: object }>>;
      expect(Object.keys(paths).length).toBeGreaterThan(20);
      for (const ops of Object.values(paths)) for (const op of Object.values(ops)) expect(op.responses).toBeDefined();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
