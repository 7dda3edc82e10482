import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTION_METRIC_TAGS, DETECTION_METRICS, detectionMetrics } from '../../src/detection/metrics.js';
import { formatDetectionReport } from '../../src/detection/report.js';
import { scoreDetection } from '../../src/detection/score.js';
import { evaluateThresholds, parseThresholds, type Threshold } from '../../src/metrics/thresholds.js';
import { alert, inst, T0 } from './helpers.js';

const instances = [
  ...Array.from({ length: 10 }, (_, n) => inst(`a06-${n}`, 'A06', { stations: [`CS-${n}`] }, 100 * n, 100 * n + 10)),
  inst('a05-0', 'A05', { stations: ['CS-50'] }, 0, 10),
];
const alerts = [
  ...Array.from({ length: 9 }, (_, n) => alert(`d${n}`, 100 * n + 1 + n, 'token_brute_force', { stationId: `CS-${n}` })),
  alert('fp', 5000, 'flood', { stationId: 'CS-99' }),
];
const run = { startMs: T0, endMs: T0 + 2 * 3_600_000, stations: 1000 };
const result = scoreDetection(instances, alerts, {
  run,
  reactions: [{ instanceId: 'a05-0', sentMs: T0, expected: [{ kind: 'callerror', value: 'SecurityError' }], observed: { atMs: T0 + 15, reactions: [{ kind: 'callerror', value: 'SecurityError' }] } }],
});
const metrics = detectionMetrics(result, { percentiles: [99.9] });

test('detection metrics are k6-style entries keyed name{type:X}', () => {
  assert.deepEqual(metrics['detection_recall{type:A06}'], { type: 'gauge', values: { value: 0.9, max: 0.9 } });
  assert.equal((metrics['detection_recall_ci_low{type:A06}']!.values as { value: number }).value, 0.59585);
  assert.deepEqual(metrics['detection_recall{type:A05}'], { type: 'gauge', values: { value: 0, max: 0 } });
  assert.equal((metrics.detection_recall!.values as { value: number }).value, 0.818182);
  assert.equal((metrics.detection_recall_macro!.values as { value: number }).value, 0.45);
  assert.equal((metrics.detection_precision!.values as { value: number }).value, 0.9);
  assert.deepEqual(metrics['detection_fn{type:A05}'], { type: 'counter', values: { count: 1, rate: 0 } });
  assert.deepEqual(metrics.false_alarms_per_hour, { type: 'gauge', values: { value: 0.5, max: 0.5 } });
  assert.deepEqual(metrics.false_alarms_per_1k_station_hours, { type: 'gauge', values: { value: 0.5, max: 0.5 } });
  assert.deepEqual(metrics['reaction_conformance{type:A05}'], { type: 'gauge', values: { value: 1, max: 1 } });
  // Latencies 1 s … 9 s (ms): nearest-rank p50 = 5 s, p95 = 9 s.
  const lat = metrics['detection_latency{type:A06}']!;
  assert.equal(lat.type, 'trend');
  assert.deepEqual([lat.values['p(50)' as keyof typeof lat.values], lat.values['p(95)' as keyof typeof lat.values], lat.values['p(99.9)' as keyof typeof lat.values]], [5000, 9000, 9000]);
  assert.deepEqual(metrics['detection_latency_p95{type:A06}'], { type: 'gauge', values: { value: 9000, max: 9000 } });
  // A05 was never detected: no latency entry, so a latency threshold on it fails as unreadable.
  assert.equal(metrics['detection_latency{type:A05}'], undefined);
  for (const k of Object.keys(metrics)) {
    const name = k.replace(/\{.*$/, '');
    assert.ok(DETECTION_METRICS[name], `${name} listed`);
    if (k.includes('{')) assert.deepEqual(DETECTION_METRIC_TAGS[name], ['type']);
  }
  assert.doesNotThrow(() => JSON.stringify(metrics));
});

test('evaluateThresholds gates on detection metrics with the usual semantics', () => {
  const { thresholds, problems } = parseThresholds({
    false_alarms_per_hour: ['value<=0.5'],
    detection_precision: ['value>=0.95'],
    detection_latency: ['p(95)<=60000'],
  });
  assert.deepEqual(problems, []);
  // Tagged selectors need DETECTION_METRIC_TAGS in the parser's METRIC_TAGS; the evaluator reads any key.
  const tagged = (metric: string, aggregation: string, op: Threshold['op'], bound: number): Threshold => ({
    metric, name: metric.replace(/\{.*$/, ''), tags: {}, expression: `${aggregation}${op}${bound}`, aggregation, op, bound,
    abortOnFail: false, delayAbortEvalMs: 0, path: metric,
  });
  const all = [
    ...thresholds,
    tagged('detection_recall{type:A06}', 'value', '>=', 0.9),
    tagged('detection_recall{type:A05}', 'value', '>=', 0.9),
    tagged('detection_latency{type:A05}', 'p(95)', '<=', 60000),
  ];
  const results = evaluateThresholds(all, { metrics: metrics as never });
  assert.deepEqual(results.map((r) => [r.metric, r.passed, r.observed]), [
    ['false_alarms_per_hour', true, 0.5],
    ['detection_precision', false, 0.9],
    ['detection_latency', true, 9000],
    ['detection_recall{type:A06}', true, 0.9],
    ['detection_recall{type:A05}', false, 0],
    ['detection_latency{type:A05}', false, null],
  ]);
});

test('the human summary names the missed instances and the unmatched alerts', () => {
  const text = formatDetectionReport(result);
  assert.match(text, /^type +inst +TP +FN +recall \[Wilson 95%\] +prec +latency p50\/p95\/max +conf +FP +FP\/h$/m);
  assert.match(text, /^A06 +10 +9 +1 +90\.0% \[\d+\.\d%, \d+\.\d%\] /m);
  assert.match(text, /missed \(2\):\n {2}a06-9 A06/);
  assert.match(text, /unmatched alerts \(1\):\n {2}fp /);
  assert.match(text, /false alarms 1: 0\.5\/h, 0\.5 per 1,000 station-hours/);
});
