import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJUnit, xmlEscape } from '../../src/metrics/junit.js';
import type { ThresholdResult } from '../../src/metrics/thresholds.js';
import { assertWellFormedXml } from './outputs.js';

const result = (over: Partial<ThresholdResult>): ThresholdResult => ({
  metric: 'ocpp_call_failed', expression: 'rate<0.01', observed: 0, passed: true, abortOnFail: false, delayAbortEvalMs: 0, ...over,
});

test('one testcase per threshold, a failure with the observed value, totals on the suites', () => {
  const xml = formatJUnit([
    result({}),
    result({ metric: 'ocpp_call_duration{action:BootNotification}', expression: 'p(99)<500', observed: 612.5, passed: false }),
    result({ metric: 'ocpp_call_duration{action:Heartbeat}', expression: 'p(99)<1', observed: null, passed: false, error: 'ocpp_call_duration{action:Heartbeat} has no samples in this run' }),
    result({ expression: 'rate<0.5', observed: 0.7, passed: false, abortOnFail: true, abortedRun: { elapsedMs: 3000, observed: 0.9 } }),
  ], { suite: 'chargestorm thresholds: a & b <c>', timestamp: '2026-01-01T12:00:00.000Z', timeS: 12.3456 });
  const [root] = assertWellFormedXml(xml);
  assert.equal(root!.name, 'testsuites');
  assert.deepEqual([root!.attrs.tests, root!.attrs.failures, root!.attrs.errors, root!.attrs.time], ['4', '3', '0', '12.346']);
  const suite = root!.children[0];
  assert.deepEqual([suite!.attrs.name, suite!.attrs.tests, suite!.attrs.failures, suite!.attrs.timestamp], ['chargestorm thresholds: a & b <c>', '4', '3', '2026-01-01T12:00:00.000Z']);
  const cases = suite!.children;
  assert.deepEqual(cases.map((c) => [c!.attrs.classname, c!.attrs.name, c!.children.length]), [
    ['ocpp_call_failed', 'rate<0.01', 0],
    ['ocpp_call_duration{action:BootNotification}', 'p(99)<500', 1],
    ['ocpp_call_duration{action:Heartbeat}', 'p(99)<1', 1],
    ['ocpp_call_failed', 'rate<0.5', 1],
  ]);
  const failure = (i: number) => cases[i]!.children[0]!;
  assert.equal(failure(1).attrs.message, 'observed 612.5; expected p(99)<500');
  assert.equal(failure(1).attrs.type, 'threshold');
  assert.match(failure(2).attrs.message!, /has no samples in this run/);
  assert.equal(failure(2).attrs.type, 'unreadable');
  assert.match(failure(3).attrs.message!, /aborted the run at 3000 ms \(observed 0\.9\)/);
});

test('escapes markup and drops characters XML 1.0 cannot hold', () => {
  assert.equal(xmlEscape(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
  assert.equal(xmlEscape('x\u0000y\u001bz\ud800'), 'x\ufffdy\ufffdz\ufffd');
  assert.equal(xmlEscape('tab\tnl\n😀'), 'tab\tnl\n😀');
  const xml = formatJUnit([result({ metric: 'ocpp_call_errors{kind:callerror:<&>}', expression: 'count<1"\u0007', passed: false, observed: 3 })], { suite: 's' });
  assertWellFormedXml(xml);
  assert.ok(!xml.includes('\u0007'));
});

test('no thresholds: an empty, valid suite', () => {
  const [root] = assertWellFormedXml(formatJUnit([], { suite: 'empty' }));
  assert.equal(root!.attrs.tests, '0');
});
