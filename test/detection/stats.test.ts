import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compositeF, latencyStats, percentileOfSorted, wilsonInterval } from '../../src/detection/stats.js';
import { normalizeCategory } from '../../src/detection/categories.js';
import { toEpochMs } from '../../src/detection/time.js';

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

test('Wilson 95 % interval matches known values', () => {
  const ci = wilsonInterval(9, 10)!;
  assert.deepEqual([r3(ci.low), r3(ci.high)], [0.596, 0.982]);
  const all = wilsonInterval(10, 10)!;
  assert.deepEqual([r3(all.low), all.high], [0.722, 1]);
  const none = wilsonInterval(0, 10)!;
  assert.deepEqual([none.low, r3(none.high)], [0, 0.278]);
  const twenty = wilsonInterval(18, 20)!;
  assert.deepEqual([r3(twenty.low), r3(twenty.high)], [0.699, 0.972]);
  assert.equal(wilsonInterval(0, 0), null);
});

test('nearest-rank percentiles and latency stats', () => {
  const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  assert.equal(percentileOfSorted(v, 50), 50);
  assert.equal(percentileOfSorted(v, 95), 100);
  assert.equal(percentileOfSorted(v, 90), 90);
  assert.equal(percentileOfSorted([], 50), 0);
  const s = latencyStats([30, 10, 20]);
  assert.deepEqual([s.count, s.min, s.med, s.max, s.avg, s.p95], [3, 10, 20, 30, 20, 30]);
});

test('composite F', () => {
  assert.equal(compositeF(1, 1), 1);
  assert.equal(compositeF(0.5, 1), 2 / 3);
  assert.equal(compositeF(0, 0), 0);
  assert.equal(compositeF(null, 0), 0);
  assert.equal(compositeF(0.5, null), null);
});

test('category names normalise across spellings', () => {
  assert.equal(normalizeCategory('TamperDetectionActivated'), 'tamper_detection_activated');
  assert.equal(normalizeCategory('InvalidTLSVersion'), 'invalid_tls_version');
  assert.equal(normalizeCategory('message-flood'), 'message_flood');
  assert.equal(normalizeCategory(' Token Brute Force '), 'token_brute_force');
  assert.equal(normalizeCategory('A06'), 'a06');
});

test('timestamps: ISO strings, epoch seconds and milliseconds', () => {
  const ms = Date.UTC(2026, 0, 1, 12);
  assert.equal(toEpochMs('2026-01-01T12:00:00Z'), ms);
  assert.equal(toEpochMs('2026-01-01T13:00:00+01:00'), ms);
  assert.equal(toEpochMs('2026-01-01T12:00:00.123456789Z'), ms + 123);
  assert.equal(toEpochMs(ms / 1000), ms);
  assert.equal(toEpochMs(ms / 1000 + 0.25), ms + 250);
  assert.equal(toEpochMs(ms), ms);
  assert.equal(toEpochMs(String(ms)), ms);
  assert.equal(toEpochMs('1767268800'), ms);
  assert.equal(toEpochMs('yesterday'), undefined);
  assert.equal(toEpochMs(null), undefined);
  assert.equal(toEpochMs(Number.NaN), undefined);
});
