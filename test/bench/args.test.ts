import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEASUREMENTS, parseBenchArgs } from '../../bench/lib/args.js';

test('defaults: every measurement, full size, the shared ceiling script', () => {
  const a = parseBenchArgs([]);
  assert.deepEqual(a.only, [...MEASUREMENTS]);
  assert.equal(a.quick, false);
  assert.equal(a.json, null);
  assert.equal(a.ceiling, '../shared/bench/ws-ceiling.mjs');
});

test('--only accepts repeats and comma lists, keeps the canonical order, and rejects unknown names', () => {
  assert.deepEqual(parseBenchArgs(['--only', 'hold-100k,calls-1k']).only, ['calls-1k', 'hold-100k']);
  assert.deepEqual(parseBenchArgs(['--only', 'connect-rate', '--only', 'calls-10k', '--quick', '--json', 'x.json']).only, ['calls-10k', 'connect-rate']);
  assert.throws(() => parseBenchArgs(['--only', 'calls-2k']), /unknown measurement 'calls-2k'/);
  assert.throws(() => parseBenchArgs(['--bogus']), /bogus/);
});

test('--repeat takes 1 to 5', () => {
  assert.equal(parseBenchArgs([]).repeat, 1);
  assert.equal(parseBenchArgs(['--repeat', '3']).repeat, 3);
  assert.throws(() => parseBenchArgs(['--repeat', '0']), /--repeat expects 1 to 5/);
  assert.throws(() => parseBenchArgs(['--repeat', 'x']), /--repeat expects 1 to 5/);
});
