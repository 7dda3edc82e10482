// stations[].tariff and csms.tariff (src/scenario/sections/tariff.ts) and the tariff commands' params: defaults,
// validation with YAML paths, and the shipped tariffs scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/scenario/defaults.js';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import { problemAt, problemsOf, repoPath } from './helpers.js';

test('a tariff group gets the tariff defaults; others have none; no csms.tariff unless given', () => {
  const spec = parseScenario('stations: [{ count: 1, behaviour: tariff }, { count: 1 }]\n', 't.yaml');
  assert.deepEqual(spec.groups[0]!.tariff, DEFAULTS.tariff);
  assert.equal(spec.groups[1]!.tariff, undefined);
  assert.equal(spec.csms.tariff, undefined);
});

test('tariff and csms.tariff values are read (percentages, durations, off-peak window, cost bounds)', () => {
  const spec = parseScenario(`
stations:
  - { count: 2, behaviour: tariff, tariff: { runningCost: false, runningCostInterval: 5s, cardPayments: 50%, authorizationAmount: 20, authorizeDirectPayment: true, vatNumbers: 0.1 } }
csms:
  tariff: { tariffId: T1, currency: USD, priceKwh: 0.5, idlePriceMinute: 0.2, idleGrace: 1m, offPeak: { from: "23:00", to: "07:00", priceKwh: 0.2 }, minCost: 1, maxCost: 80, afterBoot: false }
  commands:
    - { at: 1s, action: ChangeTransactionTariff, params: { priceKwh: 0.1 } }
    - { at: 1s, action: NotifyWebPaymentStarted, params: { timeout: 1m } }
`, 't.yaml');
  assert.deepEqual(spec.groups[0]!.tariff, {
    runningCost: false, runningCostInterval: 5000, cardPaymentRatio: 0.5, authorizationAmount: 20, authorizeDirectPayment: true, vatNumberRatio: 0.1,
  });
  assert.deepEqual(spec.csms.tariff, {
    ...DEFAULTS.csmsTariff, tariffId: 'T1', currency: 'USD', priceKwh: 0.5, idlePriceMinute: 0.2, idleGrace: 60_000,
    offPeak: { from: '23:00', to: '07:00', priceKwh: 0.2 }, minCost: 1, maxCost: 80, afterBoot: false,
  });
  assert.deepEqual(spec.csms.commands[0]!.params, { tariffId: 'Changed01', priceKwh: 0.1 });
  assert.deepEqual(spec.csms.commands[1]!.params, { timeout: 60_000, startAfter: 2000, amount: 20 });
});

test('bad tariff input is reported with its path', () => {
  const problems = problemsOf(`
stations:
  - { count: 1, behaviour: tariff, tariff: { cardPayments: 2, runningCostInterval: 10ms, vatNumber: 1 } }
  - { count: 1, tariff: { runningCost: true } }
csms:
  tariff: { currency: euro, offPeak: { from: "25:00", to: "06:00" }, minCost: 5, maxCost: 1 }
`);
  assert.match(problemAt(problems, 'stations[0].tariff.cardPayments').message, /out of range/);
  assert.match(problemAt(problems, 'stations[0].tariff.runningCostInterval').message, /at least 1s/);
  assert.match(problemAt(problems, 'stations[0].tariff.vatNumber').message, /unknown key.*vatNumbers/);
  assert.match(problemAt(problems, 'stations[1].tariff').message, /behaviour: tariff only/);
  assert.match(problemAt(problems, 'csms.tariff.currency').message, /ISO 4217/);
  assert.match(problemAt(problems, 'csms.tariff.offPeak.from').message, /HH:MM/);
  assert.match(problemAt(problems, 'csms.tariff.offPeak.priceKwh').message, /required/);
  assert.match(problemAt(problems, 'csms.tariff.minCost').message, /above maxCost/);
});

test('the shipped scenarios/tariffs.yaml is valid', () => {
  const spec = loadScenarioFile(repoPath('scenarios/tariffs.yaml'));
  assert.ok(spec.groups.every((g) => g.behaviour === 'tariff' && g.tariff !== undefined));
  assert.equal(spec.csms.tariff?.afterBoot, true);
  assert.ok(spec.csms.commands.some((c) => c.action === 'NotifyWebPaymentStarted'));
});
