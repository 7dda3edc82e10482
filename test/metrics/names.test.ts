import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BUILTIN_METRICS, closestName, DETECTION_METRIC_TAGS, DETECTION_METRICS, isDetectionMetric, knownMetricNames, knownMetrics, METRIC_TAGS,
  PRODUCED_COUNTERS, PRODUCED_GAUGES,
} from '../../src/metrics/names.js';
import * as detection from '../../src/detection/metrics.js';

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
  // An attack's env.count('x') is the counter attack_x (src/attacks/env.ts).
  const ATTACK = /\benv\.count\(\s*'([a-z][a-z0-9_]*)'/g;
  for (const file of sources(SRC)) {
    if (file.includes(`${join('src', 'metrics')}`) || file.includes(`${join('src', 'scenario')}`)) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(CALL)) found.set(m[2]!, `${file} (${m[1]})`);
    for (const m of text.matchAll(ATTACK)) found.set(`attack_${m[1]!}`, `${file} (env.count)`);
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
  assert.deepEqual(Object.keys(METRIC_TAGS).sort(), [...Object.keys(BUILTIN_METRICS), ...Object.keys(DETECTION_METRICS)].sort());
  assert.ok(names.includes('attack_errors'));
});

test('the detection metrics known to thresholds are exactly those detection scoring produces, with the same types and tags', () => {
  assert.deepEqual(DETECTION_METRICS, detection.DETECTION_METRICS);
  assert.deepEqual(DETECTION_METRIC_TAGS, detection.DETECTION_METRIC_TAGS);
  const known = knownMetrics();
  for (const [name, type] of Object.entries(DETECTION_METRICS)) assert.equal(known[name], type, name);
  assert.equal(METRIC_TAGS.detection_recall?.[0], 'type');
  assert.deepEqual(METRIC_TAGS.false_alarms_per_hour, []);
  assert.ok(isDetectionMetric('detection_recall') && !isDetectionMetric('ocpp_calls'));
});

test('closestName suggests within two edits, case-insensitively', () => {
  assert.equal(closestName('tx_startd', ['tx_started', 'tx_ended']), 'tx_started');
  assert.equal(closestName('OCPP_CALLS', ['ocpp_calls']), 'ocpp_calls');
  assert.equal(closestName('latency', ['ocpp_calls']), undefined);
});
