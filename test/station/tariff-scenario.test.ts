// scenarios/tariffs.yaml runs end to end against the embedded CSMS, shortened with --duration/--stations as a user
// would: every frame is schema-valid for the version the CSMS chose, the tariff and payment flows of FLOWS.md §7
// happen on the wire, and the report shows the use-case figures; against a 2.0.1-only CSMS the 2.1-only parts are
// skipped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fmtNum } from '../../src/metrics/format.js';
import type { Subprotocol } from '../../src/scenario/spec.js';
import { transactionEvents } from '../support/audit.js';
import { runShipped } from '../support/embedded-run.js';

const FILE = fileURLToPath(new URL('../../../scenarios/tariffs.yaml', import.meta.url));

const run = (protocols?: readonly Subprotocol[]) => runShipped(FILE, { duration: 16_000, stations: 16 }, protocols);

test('scenarios/tariffs.yaml (shortened): local cost, tariff messages and payments, all schema-valid', async () => {
  const { run: fleet, audit, csms, report } = await run();
  const calls = audit.stationCalls;
  const counters = JSON.stringify(fleet.snapshot.counters);
  // Every station got the CSMS's default tariff after boot and accepted it.
  assert.ok(fleet.counter('tariffs_applied') >= 16, counters);
  assert.ok(fleet.counter('cost_sessions') > 0 && fleet.counter('cost_total') > 0, counters);
  // Running cost in Updated events, full cost with charging periods in Ended; the CSMS confirms the final total.
  const events = [...transactionEvents(calls).values()].flat();
  const running = events.filter((e) => e.eventType === 'Updated' && e.costDetails);
  assert.ok(running.length > 0 && running.every((e) => e.costDetails.chargingPeriods === undefined));
  assert.ok(events.some((e) => e.triggerReason === 'RunningCost'));
  const ended = calls.filter((c) => c.action === 'TransactionEvent' && c.payload.eventType === 'Ended' && c.payload.costDetails);
  assert.ok(ended.length > 0, 'priced sessions ended');
  for (const e of ended) {
    const d = e.payload.costDetails;
    assert.ok(e.payload.transactionInfo.tariffId && d.chargingPeriods?.length > 0);
    assert.equal(d.totalCost.currency, 'EUR');
    assert.ok(d.totalCost.total.inclTax >= d.totalCost.total.exclTax);
    if (e.response) assert.equal(e.response.totalCost, d.totalCost.total.inclTax);
  }
  const sumEnded = ended.reduce((s, e) => s + e.payload.costDetails.totalCost.total.inclTax, 0);
  assert.ok(Math.abs(fleet.counter('cost_total') - sumEnded) < 1e-6, `cost_total ${fleet.counter('cost_total')} vs ${sumEnded}`);
  // Card payments: DirectPayment token with maxCost, settlement at the end.
  const card = events.find((e) => e.idToken?.type === 'DirectPayment' && e.idToken.additionalInfo);
  assert.ok(card && card.transactionInfo.transactionLimit?.maxCost > 0, 'a card session with its authorized amount');
  assert.ok(fleet.counter('card_payments') > 0);
  assert.ok(fleet.counter('settlements') + fleet.counter('settlements_canceled') > 0, counters);
  // ChangeTransactionTariff → TariffChanged with the new tariffId.
  assert.ok(events.some((e) => e.triggerReason === 'TariffChanged' && e.transactionInfo.tariffId === 'Promo01'));
  assert.ok(fleet.counter('tariff_changes') > 0);
  // Web payment: NotifyWebPaymentStarted, then a remote start with the PSP reference, maxCost echoed with LimitSet.
  assert.ok(fleet.counter('web_payments') > 0);
  assert.ok(events.some((e) => e.triggerReason === 'LimitSet' && e.transactionInfo.transactionLimit?.maxCost === 5));
  const cmds = csms.stats().commands;
  assert.ok((cmds.GetTariffs?.outcomes.Accepted ?? 0) > 0, JSON.stringify(cmds));
  assert.ok((cmds.ClearTariffs?.sent ?? 0) > 0 && (cmds.CostUpdated?.sent ?? 0) > 0);
  assert.ok(fleet.counter('tariffs_cleared') > 0, counters);
  assert.match(report, new RegExp(`tariffs applied\\s+${fleet.counter('tariffs_applied')}\\b`));
  assert.match(report, new RegExp(`sessions priced locally\\s+${fleet.counter('cost_sessions')}\\b`));
  assert.match(report, new RegExp(`cost total \\(incl\\. tax\\)\\s+${fmtNum(fleet.counter('cost_total'), 2).replace(/[.,]/g, '\\$&')}\\b`));
});

test('scenarios/tariffs.yaml against a 2.0.1-only CSMS: valid 2.0.1, tariff and payment parts skipped and counted', async () => {
  const { run: fleet, audit, csms } = await run(['ocpp2.0.1']);
  assert.ok(audit.stationCalls.length > 0);
  assert.ok(fleet.counter('usecase_skipped_201') > 0, JSON.stringify(fleet.snapshot.counters));
  assert.equal(fleet.counter('tariffs_applied'), 0);
  assert.equal(fleet.counter('cost_sessions'), 0);
  assert.ok(audit.stationCalls.every((c) => c.payload.costDetails === undefined && c.payload.idToken?.type !== 'DirectPayment'));
  const cmds = csms.stats().commands;
  assert.ok((cmds.ChangeTransactionTariff?.skipped ?? 0) + (cmds.NotifyWebPaymentStarted?.skipped ?? 0) > 0);
  assert.equal(cmds.NotifyWebPaymentStarted?.sent ?? 0, 0);
});
