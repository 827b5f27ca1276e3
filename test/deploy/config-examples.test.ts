// The example config files (deploy/config/) load through the real config loaders without an
// error and are complete: every key the process reads is in its example, so the example is
// also the list of what can be set (a new key fails this test until its example shows it).

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYZER_SPEC, loadAnalyzerConfig } from '../../analyzer/config.js';
import { VERIFIER_SPEC } from '../../cli/analyzer.js';
import { SWEEPER_SPEC } from '../../cli/sweeper.js';
import { loadSensorConfig, SENSOR_SPEC } from '../../sensor/config.js';
import type { KeySpec } from '../../schemas/config-spec.js';

const DIR = join(resolve(new URL('../..', import.meta.url).pathname), 'deploy/config');

/** The dotted keys a nested JSON object sets. */
function keysOf(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? keysOf(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`],
  );
}

const keys = (file: string): string[] => keysOf(JSON.parse(readFileSync(join(DIR, file), 'utf8'))).sort();
const specKeys = (spec: KeySpec[]): string[] => spec.map((s) => s.key).sort();

describe('example configs', () => {
  it('sensor.json: loads, and sets every sensor key', () => {
    const cfg = loadSensorConfig({ file: join(DIR, 'sensor.json'), env: {} });
    expect(cfg.capture.ifaces).toEqual(['eth1']);
    expect(keys('sensor.json')).toEqual(specKeys(SENSOR_SPEC));
  });

  it('analyzer.json: loads, and sets every analyzer key', () => {
    const cfg = loadAnalyzerConfig({ file: join(DIR, 'analyzer.json'), env: {} });
    expect(cfg.verify.allowed).toEqual([]); // nothing is scanned until the operator says where
    expect(keys('analyzer.json')).toEqual(specKeys(ANALYZER_SPEC));
  });

  it('verifier.json: loads, and sets every key the verifier reads (those its --help lists)', () => {
    const cfg = loadAnalyzerConfig({ file: join(DIR, 'verifier.json'), env: {} });
    expect(cfg.verify.scanType).toBe('syn'); // its systemd unit grants what a SYN scan needs
    expect(keys('verifier.json')).toEqual(specKeys(VERIFIER_SPEC));
  });

  it('sweeper.json: loads, and sets every key the sweeper reads (those its --help lists)', () => {
    const cfg = loadAnalyzerConfig({ file: join(DIR, 'sweeper.json'), env: {} });
    expect(cfg.sweep.scanType).toBe('syn'); // its systemd unit grants what a SYN scan needs
    expect(keys('sweeper.json')).toEqual(specKeys(SWEEPER_SPEC));
  });

  it('the examples say what the defaults are, except where they show a setting', () => {
    const defaults = loadAnalyzerConfig({ env: {} });
    const example = loadAnalyzerConfig({ file: join(DIR, 'analyzer.json'), env: {} });
    expect(example).toEqual(defaults);
    const sensor = loadSensorConfig({ file: join(DIR, 'sensor.json'), env: {} });
    const sensorDefaults = loadSensorConfig({
      env: {},
      flags: { 'capture.iface': 'eth1', 'sensor.id': 'dc1-span-01' },
    });
    expect(sensor).toEqual(sensorDefaults);
  });
});
