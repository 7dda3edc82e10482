import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/load.js';
import { problemAt, problemsOf } from './helpers.js';

const BASE = 'stations: [{ count: 2 }]\n';

test('thresholds: entries kept as written, in file order, with YAML path, line and column', () => {
  const spec = parseScenario(`${BASE}thresholds:
  "ocpp_call_duration{action:BootNotification}": ["p(99)<500", "avg<100"]
  ocpp_call_failed:
    - { threshold: "rate<0.01", abortOnFail: true, delayAbortEval: 10s }
  tx_started: "count>0"
`, 's.yaml');
  assert.deepEqual(spec.thresholds, [
    { selector: 'ocpp_call_duration{action:BootNotification}', value: 'p(99)<500', path: 'thresholds.ocpp_call_duration{action:BootNotification}[0]', line: 3, column: 51 },
    { selector: 'ocpp_call_duration{action:BootNotification}', value: 'avg<100', path: 'thresholds.ocpp_call_duration{action:BootNotification}[1]', line: 3, column: 64 },
    { selector: 'ocpp_call_failed', value: { threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }, path: 'thresholds.ocpp_call_failed[0]', line: 5, column: 7 },
    { selector: 'tx_started', value: 'count>0', path: 'thresholds.tx_started', line: 6, column: 15 },
  ]);
  assert.ok(Object.isFrozen(spec.thresholds![2]!.value));
});

test('no thresholds: the field is absent', () => {
  assert.equal(parseScenario(BASE, 's.yaml').thresholds, undefined);
  assert.equal(parseScenario(`${BASE}thresholds:\n`, 's.yaml').thresholds, undefined);
});

test('shape problems are reported with their paths (expressions are checked by the CLI, with metrics)', () => {
  const problems = problemsOf(`${BASE}thresholds:
  a: []
  b: [42, "", { abortOnFail: maybe, delayAbortEval: soon, extra: 1 }]
  c: { threshold: "rate<1" , abortOnFail: true }
`);
  assert.match(problemAt(problems, 'thresholds.a').message, /at least one threshold/);
  assert.match(problemAt(problems, 'thresholds.b[0]').message, /expected a threshold expression .*got 42/);
  assert.match(problemAt(problems, 'thresholds.b[1]').message, /empty string/);
  assert.match(problemAt(problems, 'thresholds.b[2].extra').message, /unknown key 'extra'/);
  assert.match(problemAt(problems, 'thresholds.b[2].threshold').message, /'threshold' is required/);
  assert.match(problemAt(problems, 'thresholds.b[2].abortOnFail').message, /expected true or false/);
  assert.match(problemAt(problems, 'thresholds.b[2].delayAbortEval').message, /expected a duration/);
  assert.equal(problems.filter((p) => p.path.startsWith('thresholds.c')).length, 0, 'a single object is a list of one');
  assert.equal(problemAt(problems, 'thresholds.a').line, 3);

  const notMap = problemsOf(`${BASE}thresholds: ["p(99)<1"]\n`);
  assert.match(problemAt(notMap, 'thresholds').message, /expected a map of metric → list of thresholds/);
});
