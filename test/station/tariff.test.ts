// The `tariff` behaviour against the embedded CSMS, through the recording tap (FLOWS.md §7): card payments at the
// integrated terminal with the authorized amount as maxCost; when the locally computed cost reaches it, charging
// suspends (CostLimitReached, SuspendedEVSE) and no more energy flows; the VAT number is validated and the company
// put on the settlement, whose amount is the Ended event's total; the cost reported equals the hand-computed price
// of the metered energy and time. The tariff store's SetDefaultTariff / GetTariffs / ClearTariffs rules, unit-level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Payload } from '../../src/ocpp/session.js';
import { TariffStore } from '../../src/station/usecases/tariff-store.js';
import { auditFrames, sampled, transactionEvents } from '../support/audit.js';
import { runAgainstEmbedded } from '../support/embedded-run.js';

const TEXT = `
name: tariff-card
seed: 9
callTimeout: 3s
stations:
  - name: kiosk
    count: 2
    behaviour: tariff
    evse: { type: AC, maxKw: 11 }
    tariff: { cardPayments: 100%, authorizationAmount: 0.30, vatNumbers: 100% }
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: 300ms
  plugDuration: 7s
  energyKwh: 20
  batteryKwh: 80
  initialSocPercent: 20
  carMaxKw: 11
  meterInterval: 1s
  stopByTokenRatio: 1
phases:
  - { duration: 0s, target: 100% }
  - { duration: 9s, target: 100% }
drainTimeout: 3s
csms:
  tariff: { priceKwh: 0.30, chargingPriceMinute: 1.20, fixedFee: 0.20, vatPercent: 0 }
`;

const energyOf = (e: Payload): number => sampled(e, 'Energy.Active.Import.Register')!;

test('card payments: cost limit suspends charging, VAT-validated settlement of the Ended total, cost = hand-computed price', async () => {
  const r = await runAgainstEmbedded(TEXT);
  const audit = auditFrames(r.frames);
  assert.deepEqual(audit.stationProblems.slice(0, 5), []);
  assert.deepEqual(audit.csmsProblems.slice(0, 5), []);
  assert.deepEqual(audit.errors, []);
  const settlements = audit.stationCalls.filter((c) => c.action === 'NotifySettlement');
  let limited = 0;
  for (const events of transactionEvents(audit.stationCalls).values()) {
    const ended = events.find((e) => e.eventType === 'Ended');
    const auth = events.find((e) => e.idToken?.type === 'DirectPayment');
    if (!ended || !auth) continue;
    assert.equal(auth.transactionInfo.transactionLimit?.maxCost, 0.30);
    const d = ended.costDetails;
    // 0.20 start fee + 0.30/kWh + 1.20/min of charging time, no tax: recompute from the reported usage.
    const expectEnergy = Math.round(((d.totalUsage.energy / 1000) * 0.30 + Number.EPSILON) * 100) / 100;
    assert.equal(d.totalCost.energy.exclTax, expectEnergy);
    assert.ok(Math.abs(d.totalCost.chargingTime.exclTax - (d.totalUsage.chargingTime / 60) * 1.20) <= 0.011, JSON.stringify(d));
    assert.equal(d.totalCost.total.exclTax, Math.round((0.20 + d.totalCost.energy.exclTax + d.totalCost.chargingTime.exclTax) * 100) / 100);
    const s = settlements.find((c) => c.payload.transactionId === ended.transactionInfo.transactionId);
    if (s) {
      assert.equal(s.payload.settlementAmount, d.totalCost.total.inclTax);
      assert.equal(s.payload.status, 'Settled');
      assert.ok(s.payload.vatNumber && s.payload.vatCompany?.name, JSON.stringify(s.payload));
    }
    const hit = events.findIndex((e) => e.triggerReason === 'CostLimitReached');
    if (hit < 0) continue;
    limited++;
    assert.equal(events[hit]!.transactionInfo.chargingState, 'SuspendedEVSE');
    assert.ok(events[hit - 1]!.costDetails.totalCost.total.inclTax >= 0.30);
    // No energy after the suspension.
    const after = events.slice(hit).filter((e) => e.meterValue).map(energyOf);
    assert.ok(after.every((wh) => Math.abs(wh - after[0]!) < 0.2), `energy after the limit: ${after.join(', ')}`);
  }
  assert.ok(limited > 0, 'some card session reached its authorized amount');
  assert.ok(settlements.length > 0 && r.run.counter('vat_validations') > 0);
  assert.equal(r.run.counter('settlements'), settlements.filter((c) => c.response).length);
});

test('TariffStore: per-EVSE default over station-wide, validFrom, DuplicateTariffId, GetTariffs and ClearTariffs results', () => {
  const s = new TariffStore();
  const t = (tariffId: string, priceKwh: number, validFrom?: string): Payload => ({
    tariffId, currency: 'EUR', energy: { prices: [{ priceKwh }] }, ...(validFrom ? { validFrom } : {}),
  });
  const now = Date.parse('2025-03-01T10:00:00Z');
  assert.equal(s.setDefault(0, t('All', 0.4), 2), 'Accepted');
  assert.equal(s.setDefault(2, t('Two', 0.5), 2), 'Accepted');
  assert.equal(s.setDefault(3, t('Three', 0.5), 2), 'Rejected'); // no EVSE 3
  assert.equal(s.setDefault(1, t('Two', 0.6), 2), 'DuplicateTariffId');
  assert.equal(s.setDefault(2, t('Later', 0.7, '2025-03-01T12:00:00Z'), 2), 'Accepted');
  assert.equal(s.setDefault(1, { ...t('Big', 1), energy: { prices: Array.from({ length: 25 }, () => ({ priceKwh: 1 })) } }, 2), 'TooManyElements');
  assert.equal(s.defaultFor(1, now)?.tariffId, 'All');
  assert.equal(s.defaultFor(2, now)?.tariffId, 'Two');
  assert.equal(s.defaultFor(2, Date.parse('2025-03-01T12:00:00Z'))?.tariffId, 'Later');
  assert.deepEqual(s.assignments(1), [{ tariffId: 'All', tariffKind: 'DefaultTariff', evseIds: [0] }]);
  assert.equal(s.assignments(0).length, 3);
  assert.deepEqual(s.clear(['Two', 'Nope'], undefined), [{ tariffId: 'Two', status: 'Accepted' }, { tariffId: 'Nope', status: 'NoTariff' }]);
  assert.deepEqual(s.clear(undefined, 2), [{ tariffId: 'Later', status: 'Accepted' }]);
  assert.deepEqual(s.clear(undefined, 2), [{ status: 'NoTariff' }]);
  assert.equal(s.size, 1);
});
