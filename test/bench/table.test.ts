import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestOf, formatNumber, formatTable, formatTarget, passes, ratioOf, row } from '../../bench/lib/table.js';

test('ratioOf divides chargestorm by the ceiling, null when either is missing or the ceiling is zero', () => {
  assert.equal(ratioOf(70, 100), 0.7);
  assert.equal(ratioOf(null, 100), null);
  assert.equal(ratioOf(70, null), null);
  assert.equal(ratioOf(70, 0), null);
  assert.equal(ratioOf(Number.NaN, 10), null);
});

test('passes checks ratio targets on the ratio and absolute targets on the chargestorm figure', () => {
  assert.equal(passes({ kind: 'ratio-at-least', value: 0.7 }, 1, 0.7), true);
  assert.equal(passes({ kind: 'ratio-at-least', value: 0.7 }, 1, 0.69), false);
  assert.equal(passes({ kind: 'ratio-at-least', value: 0.7 }, 1, null), null);
  assert.equal(passes({ kind: 'at-least', value: 5000, unit: '' }, 5000, null), true);
  assert.equal(passes({ kind: 'at-least', value: 5000, unit: '' }, 4999, 9), false);
  assert.equal(passes({ kind: 'at-most', value: 40, unit: '' }, 40, null), true);
  assert.equal(passes({ kind: 'at-most', value: 40, unit: '' }, 41, 0.1), false);
  assert.equal(passes({ kind: 'at-most', value: 40, unit: '' }, null, null), null);
});

test('formatNumber groups large numbers and keeps two significant digits for small ones', () => {
  assert.equal(formatNumber(123_456.7), '123,457');
  assert.equal(formatNumber(100), '100');
  assert.equal(formatNumber(30.33), '30.3');
  assert.equal(formatNumber(3.456), '3.5');
  assert.equal(formatNumber(0.0123), '0.012');
  assert.equal(formatNumber(0), '0');
});

test('formatTarget spells each kind', () => {
  assert.equal(formatTarget({ kind: 'ratio-at-least', value: 0.7 }), '≥ 70% of ceiling');
  assert.equal(formatTarget({ kind: 'at-least', value: 100_000, unit: '' }), '≥ 100,000');
  assert.equal(formatTarget({ kind: 'at-most', value: 40, unit: 'KiB' }), '≤ 40.0 KiB');
});

test('formatTable prints the markdown table with n/a for missing figures and numbered notes', () => {
  const rows = [
    row({ measurement: 'calls-1k', label: 'calls/s @ 1,000 stations', unit: '', chargestorm: 24_000, ceiling: 30_000, target: { kind: 'ratio-at-least', value: 0.7 } }),
    row({ measurement: 'connect-rate', label: 'connects/s', unit: '', chargestorm: null, ceiling: 5000, target: { kind: 'at-least', value: 5000, unit: '' }, note: 'chargestorm: run exited 104' }),
  ];
  assert.equal(rows[0]!.pass, true);
  assert.equal(rows[1]!.pass, null);
  assert.equal(formatTable(rows), [
    '| measurement | chargestorm | ceiling | ratio | target | pass |',
    '| --- | --- | --- | --- | --- | --- |',
    '| calls/s @ 1,000 stations | 24,000 | 30,000 | 0.80× | ≥ 70% of ceiling | yes |',
    '| connects/s [1] | n/a | 5,000 | n/a | ≥ 5,000 | n/a |',
    '',
    '[1] chargestorm: run exited 104',
  ].join('\n'));
});

test('bestOf keeps each side\'s best per row (lowest for at-most targets) and derives ratio and pass again', () => {
  const calls = (cs: number | null, ceil: number | null, note?: string) => row({
    measurement: 'calls-1k', label: 'calls/s', unit: '', chargestorm: cs, ceiling: ceil, target: { kind: 'ratio-at-least', value: 0.7 }, ...(note ? { note } : {}),
  });
  const mem = (cs: number, ceil: number) => row({ measurement: 'hold', label: 'KiB', unit: '', chargestorm: cs, ceiling: ceil, target: { kind: 'at-most', value: 40, unit: '' } });
  const best = bestOf([[calls(20_000, 30_000), mem(45, 30)], [calls(null, 40_000, 'chargestorm: timed out'), mem(38, 25)], [calls(25_000, 20_000), mem(41, 28)]]);
  assert.equal(best[0]!.chargestorm, 25_000);
  assert.equal(best[0]!.ceiling, 40_000);
  assert.equal(best[0]!.ratio, 0.625);
  assert.equal(best[0]!.pass, false);
  assert.equal(best[0]!.label, 'calls/s, best of 3');
  assert.equal(best[0]!.note, 'chargestorm: timed out');
  assert.equal(best[1]!.chargestorm, 38);
  assert.equal(best[1]!.ceiling, 25);
  assert.equal(best[1]!.pass, true);
  assert.deepEqual(bestOf([[calls(1, 2)]]), [calls(1, 2)]);
  assert.deepEqual(bestOf([]), []);
});
