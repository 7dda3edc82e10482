import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../../src/metrics/summary.js';
import { abortingResults, evaluateThresholds, parseThresholds, thresholdPercentiles } from '../../src/metrics/thresholds.js';
import { sampleSnapshot } from './fixtures.js';

const summary = summarize(sampleSnapshot());

test('parses k6 expressions and selectors once, into frozen canonical thresholds', () => {
  const { thresholds, problems } = parseThresholds({
    ocpp_call_duration: ['p(99)<250', 'p(99.90)<=1000', 'avg<100', 'med<50', 'max < 2000', 'min>=0'],
    'ocpp_call_duration{action:BootNotification}': ['p(95)<500'],
    ocpp_calls: ['count>0'],
    ocpp_call_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }],
    'ocpp_call_errors{ kind:timeout , action:Authorize }': ['count==0'],
    stations_connected: ['value>=0.9'],
  }, { file: 'scenario.yaml' });
  assert.deepEqual(problems, []);
  assert.equal(thresholds.length, 11);
  assert.deepEqual(thresholds.map((t) => t.aggregation).slice(0, 6), ['p(99)', 'p(99.9)', 'avg', 'med', 'max', 'min']);
  const boot = thresholds[6]!;
  assert.equal(boot.metric, 'ocpp_call_duration{action:BootNotification}');
  assert.deepEqual(boot.tags, { action: 'BootNotification' });
  const failed = thresholds[8]!;
  assert.deepEqual([failed.op, failed.bound, failed.abortOnFail, failed.delayAbortEvalMs], ['<', 0.01, true, 10_000]);
  assert.equal(failed.path, 'thresholds["ocpp_call_failed"][0]');
  assert.equal(thresholds[9]!.metric, 'ocpp_call_errors{action:Authorize,kind:timeout}');
  assert.equal(thresholds[9]!.op, '==');
  assert.ok(Object.isFrozen(thresholds[0]));
  assert.deepEqual(thresholdPercentiles(thresholds), [95, 99, 99.9]);
});

test('collects every problem with its path', () => {
  const { thresholds, problems } = parseThresholds({
    ocpp_call_duration: ['p99<250', 'p(0)<1', 'p(101)<1', 'rate<0.01', 'avg<'],
    ocpp_call_failed: ['avg<1'],
    'ocpp_call_duration{station:CS1}': ['avg<1'],
    'ocpp_calls{action}': ['count>0'],
    'bad name{': ['count>0'],
    'tx_started{action:X}': ['count>0'],
    ocpp_connects: 'count>0',
    ocpp_connect_failed: [{ threshold: 'rate<0.1', abortOnFail: 'yes', delayAbortEval: 'soon', extra: 1 }, { abortOnFail: true }, 42],
  }, { file: 'scenario.yaml', path: 'options.thresholds' });
  assert.equal(thresholds.length, 0);
  const got = problems.map((p) => `${p.path}: ${p.message}`);
  const expect = [
    /^options\.thresholds\["ocpp_call_duration"\]\[0\]: "p99<250" is not a threshold expression/,
    /^options\.thresholds\["ocpp_call_duration"\]\[1\]: percentile 0 must be greater than 0/,
    /^options\.thresholds\["ocpp_call_duration"\]\[2\]: percentile 101 must be greater than 0 and at most 100/,
    /^options\.thresholds\["ocpp_call_duration"\]\[3\]: rate does not apply to a trend metric/,
    /^options\.thresholds\["ocpp_call_duration"\]\[4\]: "avg<" is not a threshold expression/,
    /^options\.thresholds\["ocpp_call_failed"\]\[0\]: avg does not apply to a rate metric \(use rate\)/,
    /^options\.thresholds\["ocpp_call_duration\{station:CS1\}"\]: metric ocpp_call_duration has no tag "station"; it has: action/,
    /^options\.thresholds\["ocpp_calls\{action\}"\]: tag "action" in "ocpp_calls\{action\}" must look like tag:value/,
    /^options\.thresholds\["bad name\{"\]: "bad name\{" is not a metric selector/,
    /^options\.thresholds\["tx_started\{action:X\}"\]: metric tx_started has no tag "action"; it has none/,
    /^options\.thresholds\["ocpp_connects"\]: expected a list/,
    /^options\.thresholds\["ocpp_connect_failed"\]\[0\]\.extra: unknown key/,
    /^options\.thresholds\["ocpp_connect_failed"\]\[0\]\.abortOnFail: expected true or false/,
    /^options\.thresholds\["ocpp_connect_failed"\]\[0\]\.delayAbortEval: expected a duration/,
    /^options\.thresholds\["ocpp_connect_failed"\]\[1\]\.threshold: required/,
    /^options\.thresholds\["ocpp_connect_failed"\]\[2\]: expected a threshold expression or \{/,
  ];
  assert.equal(got.length, expect.length, got.join('\n'));
  expect.forEach((re, i) => assert.match(got[i]!, re));
  assert.ok(problems.every((p) => p.file === 'scenario.yaml'));
});

test('evaluates against the summary: observed values and pass/fail', () => {
  const { thresholds } = parseThresholds({
    'ocpp_call_duration{action:BootNotification}': ['p(99)<250', 'avg<2', 'med==2', 'max<=4', 'min>1'],
    ocpp_calls: ['count>0', 'rate>=1'],
    ocpp_call_failed: ['rate<0.01'],
    'ocpp_call_rejected{action:Authorize}': ['rate<=0.2'],
    'ocpp_call_errors{kind:callerror}': ['count<2'],
    stations_connected: ['value>=8', 'max>10'],
    energy_wh: ['count>12000'],
  });
  const results = evaluateThresholds(thresholds, summary);
  assert.deepEqual(results.map((r) => [r.metric, r.expression, r.observed, r.passed]), [
    ['ocpp_call_duration{action:BootNotification}', 'p(99)<250', 4, true],
    ['ocpp_call_duration{action:BootNotification}', 'avg<2', 2.5, false],
    ['ocpp_call_duration{action:BootNotification}', 'med==2', 2, true],
    ['ocpp_call_duration{action:BootNotification}', 'max<=4', 4, true],
    ['ocpp_call_duration{action:BootNotification}', 'min>1', 1, false],
    ['ocpp_calls', 'count>0', 9, true],
    ['ocpp_calls', 'rate>=1', 0.9, false],
    ['ocpp_call_failed', 'rate<0.01', 0.333333, false],
    ['ocpp_call_rejected{action:Authorize}', 'rate<=0.2', 0.2, true],
    ['ocpp_call_errors{kind:callerror}', 'count<2', 1, true],
    ['stations_connected', 'value>=8', 8, true],
    ['stations_connected', 'max>10', 10, false],
    ['energy_wh', 'count>12000', 12345, true],
  ]);
  assert.ok(results.every((r) => r.error === undefined));
});

test('a metric that never appears is an error; zero events of a counted kind is an observation', () => {
  const { thresholds } = parseThresholds({
    tx_startd: ['count>0'],
    'ocpp_call_errors{kind:disconnected}': ['count<1'],
    'ocpp_calls{action:Heartbeat}': ['count>0'],
    'ocpp_call_duration{action:Heartbeat}': ['p(99)<100'],
    'ocpp_call_failed{action:Heartbeat}': ['rate<0.1'],
    tx_started: ['p(99)<1'],
  });
  const results = evaluateThresholds(thresholds, summary);
  assert.deepEqual(results.map((r) => [r.observed, r.passed, r.error]), [
    [null, false, 'metric tx_startd never appears in this run'],
    [0, true, undefined],
    [0, false, undefined],
    [null, false, 'ocpp_call_duration{action:Heartbeat} has no samples in this run'],
    [null, false, 'ocpp_call_failed{action:Heartbeat} has no samples in this run'],
    [null, false, 'p(99) does not apply to tx_started, a counter metric'],
  ]);
});

test('percentiles a threshold needs must be computed by summarize', () => {
  const { thresholds } = parseThresholds({ ocpp_call_duration: ['p(97.5)<10'] });
  const missing = evaluateThresholds(thresholds, summary)[0]!;
  assert.equal(missing.passed, false);
  assert.match(missing.error ?? '', /p\(97\.5\) of ocpp_call_duration was not computed/);
  const s = summarize(sampleSnapshot(), { percentiles: thresholdPercentiles(thresholds) });
  const r = evaluateThresholds(thresholds, s)[0]!;
  assert.deepEqual([r.observed, r.passed, r.error], [4, true, undefined]);
});

test('abortOnFail results abort only after delayAbortEval, and never on unreadable metrics', () => {
  const { thresholds } = parseThresholds({
    ocpp_call_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '30s' }],
    ocpp_calls: [{ threshold: 'count>100', abortOnFail: true }, 'count>1000'],
    tx_startd: [{ threshold: 'count>0', abortOnFail: true }],
  });
  const results = evaluateThresholds(thresholds, summary);
  assert.deepEqual(abortingResults(results, 10_000).map((r) => r.expression), ['count>100']);
  assert.deepEqual(abortingResults(results, 30_000).map((r) => r.expression), ['rate<0.01', 'count>100']);
});

test('with knownMetrics, names that can never appear are problems, with a suggestion', async () => {
  const { knownMetrics } = await import('../../src/metrics/names.js');
  const known = knownMetrics();
  const { thresholds, problems } = parseThresholds({
    tx_startd: ['count>0'],
    latency: ['p(99)<1'],
    tx_started: ['p(99)<1', 'count>0'],
    stations_connected: ['value>=1'],
  }, { file: 's.yaml', knownMetrics: known });
  assert.deepEqual(thresholds.map((t) => `${t.metric} ${t.expression}`), ['tx_started count>0', 'stations_connected value>=1']);
  assert.deepEqual(problems.map((p) => p.path), [
    'thresholds["tx_startd"]', 'thresholds["latency"]', 'thresholds["tx_started"][0]',
  ]);
  assert.match(problems[0]!.message, /unknown metric "tx_startd" \(did you mean "tx_started"\?\): it can never appear/);
  assert.match(problems[1]!.message, /unknown metric "latency": it can never appear in a run — known metrics: .*ocpp_call_duration/);
  assert.match(problems[2]!.message, /p\(99\) does not apply to a counter metric/);
});

test('a producer counter that was never bumped reads as 0; a gauge that never appeared has no samples', async () => {
  const { parseThresholdEntry } = await import('../../src/metrics/thresholds.js');
  const t1 = parseThresholdEntry('offline_queued', 'count<1', { path: 'x' }).threshold!;
  const t2 = parseThresholdEntry('ocpp_call_errors{kind:disconnected}', 'count<1', { path: 'y' }).threshold!;
  const fake = parseThresholdEntry('grid_kw', 'value<1', { path: 'z' }).threshold!;
  const r = evaluateThresholds([t1, t2, fake], summary);
  assert.deepEqual(r.map((x) => [x.observed, x.passed, x.error]), [
    [0, true, undefined], [0, true, undefined], [null, false, 'metric grid_kw never appears in this run'],
  ]);
});

test('parseThresholdEntry parses one entry at its own path; splitThresholdOption splits at the last colon outside braces', async () => {
  const { parseThresholdEntry, splitThresholdOption } = await import('../../src/metrics/thresholds.js');
  const ok = parseThresholdEntry('ocpp_call_failed', { threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: 5 }, { path: 'thresholds.ocpp_call_failed[2]', file: 'f.yaml' });
  assert.deepEqual(ok.problems, []);
  assert.deepEqual([ok.threshold!.path, ok.threshold!.abortOnFail, ok.threshold!.delayAbortEvalMs], ['thresholds.ocpp_call_failed[2]', true, 5000]);
  const bad = parseThresholdEntry('ocpp_call_failed{action}', 'rate<0.01', { path: '--threshold', file: 'command line' });
  assert.equal(bad.threshold, undefined);
  assert.deepEqual(bad.problems.map((p) => [p.file, p.path]), [['command line', '--threshold']]);

  assert.deepEqual(splitThresholdOption('ocpp_call_duration{action:BootNotification}:p(99)<500'),
    { selector: 'ocpp_call_duration{action:BootNotification}', expression: 'p(99)<500' });
  assert.deepEqual(splitThresholdOption('ocpp_call_errors{kind:callerror:NotImplemented}: count < 1'),
    { selector: 'ocpp_call_errors{kind:callerror:NotImplemented}', expression: 'count < 1' });
  assert.deepEqual(splitThresholdOption('ocpp_call_failed:rate<0.01'), { selector: 'ocpp_call_failed', expression: 'rate<0.01' });
  for (const bad of ['ocpp_call_failed', 'ocpp_call_duration{action:Authorize}', ':rate<1', 'ocpp_call_failed:']) {
    assert.equal(splitThresholdOption(bad), undefined, bad);
  }
});
