import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport } from '../../src/metrics/report.js';
import { ManualClock } from '../../src/util/clock.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { summarize, type Summary } from '../../src/metrics/summary.js';
import { isUseCaseCounter, USE_CASE_FIGURES } from '../../src/metrics/usecase-figures.js';
import { T0 } from './fixtures.js';

/** A hand-made 10-second run with the given counters (and one BootNotification). */
function runWith(counters: Record<string, number>): Summary {
  const clock = new ManualClock(T0);
  const m = new MetricsRegistry({ clock });
  m.recordCall('BootNotification', 1000, 500, 'ok');
  for (const [k, v] of Object.entries(counters)) m.add(k, v);
  clock.advance(10_000);
  m.tick();
  return summarize(m.snapshot(), { scenario: 'use-cases' });
}

/** The USE CASES section's lines (up to the next blank line), columns split; [] when absent. */
function section(text: string): string[][] {
  const lines = text.split('\n');
  const at = lines.findIndex((x) => x.trim() === 'USE CASES');
  if (at < 0) return [];
  const end = lines.findIndex((x, i) => i > at && x.trim() === '');
  return lines.slice(at + 1, end).map((x) => x.trim().split(/\s{2,}/));
}

const ALL = {
  energy_wh: 12_345, energy_export_wh: 2_500.5,
  pnc_contracts_installed: 3, certificates_signed: 4, certificates_rejected: 1, pnc_chain_status_good: 5, pnc_chain_status_revoked: 1,
  v2x_discharge_sessions: 2, v2x_mode_changes: 6, afrr_signals: 7,
  der_controls_set: 8, der_alarms: 2, der_start_stop: 1,
  battery_swaps: 3, battery_swap_requests: 4,
  tariffs_applied: 6, cost_total: 1234.5, settlements: 2, web_payments: 1,
  periodic_stream_messages: 40,
  usecase_skipped_201: 2,
  reconnects: 3,
};

test('USE CASES: every use case\'s figures, grouped, energy in kWh, cost with two decimals', () => {
  const out = formatReport(runWith(ALL));
  assert.deepEqual(section(out), [
    ['energy', 'imported', '12.345 kWh'],
    ['exported', '2.501 kWh'],
    ['V2X', 'discharge sessions', '2'],
    ['operation mode changes', '6'],
    ['aFRR signals', '7'],
    ['Plug & Charge', 'contract certificates installed', '3'],
    ['certificates signed', '4'],
    ['certificates rejected', '1'],
    ['chain status good', '5'],
    ['chain status revoked', '1'],
    ['DER', 'controls set', '8'],
    ['alarms', '2'],
    ['start/stop events', '1'],
    ['battery swap', 'swaps', '3'],
    ['swap requests', '4'],
    ['tariffs', 'tariffs applied', '6'],
    ['cost total (incl. tax)', '1,234.50'],
    ['settlements', '2'],
    ['web payments', '1'],
    ['periodic streams', 'messages (SEND)', '40'],
    ['OCPP 2.0.1', '2.1-only steps skipped', '2'],
  ]);
  // They are not repeated under COUNTERS; a counter of no use case still is.
  const counters = out.slice(out.indexOf('  COUNTERS'));
  assert.match(counters, /reconnects\s+3/);
  for (const name of Object.keys(ALL).filter((k) => k !== 'reconnects')) assert.ok(!counters.includes(name), `${name} repeated under COUNTERS`);
  // After TRANSACTIONS, before COUNTERS.
  assert.ok(out.indexOf('TRANSACTIONS') < out.indexOf('USE CASES') && out.indexOf('USE CASES') < out.indexOf('COUNTERS'));
});

test('only the figures whose counters exist; no section for a run without use cases', () => {
  assert.deepEqual(section(formatReport(runWith({ energy_wh: 500, battery_swaps: 2 }))), [
    ['energy', 'imported', '0.500 kWh'],
    ['battery swap', 'swaps', '2'],
  ]);
  // Energy imported alone is every charging run's (TRANSACTIONS shows it): no section.
  const plain = formatReport(runWith({ energy_wh: 500, tx_started: 1, reconnects: 1 }));
  assert.equal(section(plain).length, 0);
  assert.ok(!plain.includes('USE CASES'));
  // A counter at zero still exists (the use case ran, nothing happened): shown.
  assert.deepEqual(section(formatReport(runWith({ der_alarms: 0 }))), [['DER', 'alarms', '0']]);
});

test('the table names each counter once; prefixes match only longer names', () => {
  const names = USE_CASE_FIGURES.flatMap((g) => g.figures.map((f) => f.counter));
  assert.equal(new Set(names).size, names.length);
  assert.ok(isUseCaseCounter('pnc_chain_status_unknown'));
  assert.ok(!isUseCaseCounter('pnc_chain_status_'));
  assert.ok(isUseCaseCounter('cost_total') && isUseCaseCounter('usecase_skipped_201'));
  assert.ok(!isUseCaseCounter('reconnects') && !isUseCaseCounter('tx_started'));
});
