import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BUILTIN_METRICS, closestName, knownMetricNames, knownMetrics, METRIC_TAGS, PRODUCED_COUNTERS, PRODUCED_GAUGES,
} from '../../src/metrics/names.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('every counter and gauge a producer names in src/ is a known metric (else thresholds on it are rejected)', () => {
  const known = knownMetrics();
  const found = new Map<string, string>();
  // sink.count('x'), registry.add('x', ...), this.registry.gauge('x', ...): literal names only.
  const CALL = /\b(?:sink|registry|wiring)\.(count|add|gauge)\(\s*'([a-z][a-z0-9_]*)'/g;
  for (const file of sources(SRC)) {
    if (file.includes(`${join('src', 'metrics')}`) || file.includes(`${join('src', 'scenario')}`)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(CALL)) found.set(m[2]!, `${file} (${m[1]})`);
  }
  assert.ok(found.size >= 10, `expected to find the producers' counters, found ${[...found.keys()].join(', ')}`);
  for (const [name, where] of found) {
    assert.ok(known[name] !== undefined, `${name} (${where}) is missing from PRODUCED_COUNTERS/PRODUCED_GAUGES in src/metrics/names.ts`);
  }
});

test('known metrics: the built-ins with their types, producer counters and gauges, sorted names', () => {
  const known = knownMetrics();
  for (const [name, type] of Object.entries(BUILTIN_METRICS)) assert.equal(known[name], type);
  for (const name of PRODUCED_COUNTERS) assert.equal(known[name], 'counter', name);
  for (const name of PRODUCED_GAUGES) assert.equal(known[name], 'gauge', name);
  const names = knownMetricNames();
  assert.deepEqual(names, [...names].sort());
  assert.ok(names.includes('dropped_iterations') && names.includes('stations_connected'));
  assert.deepEqual(Object.keys(METRIC_TAGS).sort(), Object.keys(BUILTIN_METRICS).sort());
});

test('closestName suggests within two edits, case-insensitively', () => {
  assert.equal(closestName('tx_startd', ['tx_started', 'tx_ended']), 'tx_started');
  assert.equal(closestName('OCPP_CALLS', ['ocpp_calls']), 'ocpp_calls');
  assert.equal(closestName('latency', ['ocpp_calls']), undefined);
});
