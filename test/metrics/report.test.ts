import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProgressLine, formatReport } from '../../src/metrics/report.js';
import { summarize } from '../../src/metrics/summary.js';
import { evaluateThresholds, parseThresholds } from '../../src/metrics/thresholds.js';
import { sampleSnapshot } from './fixtures.js';

const ANSI = /\x1b\[[0-9;]*m/g;
const summary = summarize(sampleSnapshot(), { scenario: 'quickstart', target: 'ws://127.0.0.1:9000/ocpp', stations: 10 });

/** The line that starts (after indentation) with `label`, split into its columns. */
function row(text: string, label: string): string[] {
  const line = text.split('\n').find((x) => x.trimStart().startsWith(`${label} `));
  assert.ok(line, `no row ${label}`);
  return line.trim().split(/\s{2,}/);
}

test('header names scenario, target, stations and duration', () => {
  const out = formatReport(summary);
  assert.deepEqual(row(out, 'scenario:'), ['scenario:', 'quickstart']);
  assert.deepEqual(row(out, 'target:'), ['target:', 'ws://127.0.0.1:9000/ocpp']);
  assert.deepEqual(row(out, 'stations:'), ['stations:', '10']);
  assert.deepEqual(row(out, 'duration:'), ['duration:', '10s']);
});

test('per-action table: count, calls/s, p50, p90, p99, p99.9, max, service p99, failed, rejected', () => {
  const out = formatReport(summary);
  assert.deepEqual(row(out, 'action'), ['action', 'count', 'calls/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'svc p99', 'failed', 'rejected']);
  assert.deepEqual(row(out, 'BootNotification'), ['BootNotification', '4', '0.4', '2.00ms', '4.00ms', '4.00ms', '4.00ms', '4.00ms', '500µs', '0', '0']);
  assert.deepEqual(row(out, 'Authorize'), ['Authorize', '5', '0.5', '200µs', '400µs', '400µs', '400µs', '400µs', '300µs', '3 (60.00%)', '1']);
  assert.deepEqual(row(out, 'all'), ['all', '9', '0.9', '400µs', '4.00ms', '4.00ms', '4.00ms', '4.00ms', '500µs', '3 (33.33%)', '1']);
});

test('columns are aligned: every row of the calls table has the same width', () => {
  const lines = formatReport(summary).split('\n');
  const at = lines.findIndex((x) => x.trimStart().startsWith('action '));
  const widths = lines.slice(at, at + 4).map((x) => [...x].length);
  assert.equal(new Set(widths).size, 1, JSON.stringify(lines.slice(at, at + 4)));
});

test('errors by kind, connects, incoming, transactions, offline queue, other counters, gauges', () => {
  const out = formatReport(summary);
  assert.deepEqual(row(out, 'timeout'), ['timeout', '1']);
  assert.deepEqual(row(out, 'callerror:NotImplemented'), ['callerror:NotImplemented', '1']);
  assert.deepEqual(row(out, 'invalid'), ['invalid', '1']);
  assert.deepEqual(row(out, 'attempts'), ['attempts', 'ok', 'failed', 'p50', 'p90', 'p99', 'max']);
  assert.deepEqual(row(out, 'refused'), ['refused', '1']);
  assert.deepEqual(row(out, 'Reset'), ['Reset', '2', '1', '0', '1']);
  assert.deepEqual(row(out, 'started'), ['started', '5']);
  assert.deepEqual(row(out, 'ended'), ['ended', '4']);
  assert.deepEqual(row(out, 'energy delivered'), ['energy delivered', '12.345 kWh']);
  assert.deepEqual(row(out, 'dropped'), ['dropped', '2']);
  assert.deepEqual(row(out, 'reconnects'), ['reconnects', '3', '0.30/s']);
  assert.deepEqual(row(out, 'stations_connected'), ['stations_connected', '8', '(max 10)']);
  assert.ok(!out.includes('tx_started'), 'sectioned counters are not repeated under COUNTERS');
});

test('no colour unless asked; colour does not change the text', () => {
  const plain = formatReport(summary);
  assert.ok(!ANSI.test(plain));
  const colored = formatReport(summary, { color: true });
  assert.ok(colored.includes('\x1b['));
  assert.equal(colored.replace(ANSI, ''), plain);
});

test('threshold results are listed with ✓ and ✗', () => {
  const { thresholds } = parseThresholds({ 'ocpp_call_duration{action:BootNotification}': ['p(99)<250'], ocpp_call_failed: ['rate<0.01'] });
  const out = formatReport(summary, { thresholds: evaluateThresholds(thresholds, summary) });
  assert.match(out, /✓ ocpp_call_duration\{action:BootNotification\}\s+p\(99\)<250\s+observed 4/);
  assert.match(out, /✗ ocpp_call_failed\s+rate<0.01\s+observed 0.333/);
});

test('progress line: elapsed, stations, calls, calls/s, p99, errors', () => {
  const line = formatProgressLine({
    elapsedMs: 65_000, calls: 123_456, errors: 3,
    last: { t: 0, ms: 1000, calls: 812, errors: 1, p99Us: 45_200, hdr: 'x', gauges: { stations_connected: 998 } },
  }, { stations: 1000 });
  assert.equal(line, '   1m5s  stations 998/1,000  calls 123,456  812.0/s  p99 45.2ms  errors 3 (1.0/s)');
  assert.equal(formatProgressLine({ elapsedMs: 0, calls: 0, errors: 0, last: null }),
    '     0s  stations -  calls 0  -/s  p99 -  errors 0 (0.0/s)');
});
