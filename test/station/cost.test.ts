// The local cost calculation (FLOWS.md §7.1) against hand-computed prices: energy, charging and idle time, fixed
// fees with payment conditions, thresholds crossed inside a segment, time-of-day windows, min/max cost, stacked
// taxes and a tariff change mid-session. Every costDetails produced is schema-valid in a TransactionEvent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatorFor } from '../../src/ocpp/schemas.js';
import type { Payload } from '../../src/ocpp/session.js';
import { CostCalculator, taxFactor, type CostContext } from '../../src/station/usecases/cost.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const MIN = 60_000;
const AC: CostContext = { evseKind: 'AC' };
const VAT = [{ type: 'VAT', tax: 21 }];

/** Feeds `mins` minutes from `atMin` with `kWh` delivered at constant power (0 kWh = idle). */
function feed(c: CostCalculator, atMin: number, mins: number, kWh: number, start = T0): void {
  const powerW = kWh > 0 ? (kWh * 1000) / (mins / 60) : 0;
  c.add({ startMs: start + atMin * MIN, endMs: start + (atMin + mins) * MIN, energyWh: kWh * 1000, charging: kWh > 0, powerW, currentA: powerW / 690 });
}

function assertValid(c: CostCalculator): void {
  const v = validatorFor('2.1');
  for (const final of [false, true]) {
    const p = {
      eventType: final ? 'Ended' : 'Updated', timestamp: '2025-03-01T12:00:00Z', triggerReason: final ? 'StopAuthorized' : 'RunningCost', seqNo: 1,
      transactionInfo: { transactionId: 't-1', tariffId: c.tariffId }, costDetails: c.costDetails(final),
    };
    assert.equal(v.request('TransactionEvent', p), null, JSON.stringify(p));
  }
}

test('the FLOWS.md §7.1 example: 18 kWh in 2 h at 0.45/kWh + 0.35 start fee, 21 % VAT → 8.45 / 10.22', () => {
  const tariff = {
    tariffId: 'Default01', currency: 'EUR', energy: { prices: [{ priceKwh: 0.45 }], taxRates: VAT },
    idleTime: { prices: [{ priceMinute: 0.10, conditions: { minChargingTime: 7200 } }], taxRates: VAT },
    fixedFee: { prices: [{ priceFixed: 0.35 }], taxRates: VAT },
  };
  const c = new CostCalculator(tariff, AC, T0);
  feed(c, 0, 120, 18);
  const d = c.costDetails(true);
  assert.deepEqual(d.totalCost, {
    currency: 'EUR', typeOfCost: 'NormalCost', fixed: { exclTax: 0.35, inclTax: 0.42 }, energy: { exclTax: 8.10, inclTax: 9.80 },
    idleTime: { exclTax: 0, inclTax: 0 }, total: { exclTax: 8.45, inclTax: 10.22 },
  });
  assert.deepEqual(d.totalUsage, { energy: 18000, chargingTime: 7200, idleTime: 0 });
  assert.deepEqual(d.chargingPeriods, [{ tariffId: 'Default01', startPeriod: '2025-03-01T10:00:00Z', dimensions: [{ type: 'Energy', volume: 18000 }, { type: 'ChargingTime', volume: 7200 }] }]);
  // Then 30 min idle: the idle fee applies (2 h of charging reached): 3.00 → 3.63.
  feed(c, 120, 30, 0);
  const t = c.totalCost();
  assert.deepEqual(t.idleTime, { exclTax: 3.00, inclTax: 3.63 });
  assert.deepEqual(t.total, { exclTax: 11.45, inclTax: 13.85 });
  assertValid(c);
});

test('idle fee only after its conditions: 1 h charging then 30 min idle is free; minIdleTime 10 min bills 20 of 30 min', () => {
  const short = new CostCalculator({
    tariffId: 'T', currency: 'EUR', idleTime: { prices: [{ priceMinute: 0.10, conditions: { minChargingTime: 7200 } }] },
  }, AC, T0);
  feed(short, 0, 60, 9);
  feed(short, 60, 30, 0);
  assert.deepEqual(short.totalCost().total, { exclTax: 0, inclTax: 0 });
  assert.deepEqual(short.totalUsage(), { energy: 9000, chargingTime: 3600, idleTime: 1800 });
  const grace = new CostCalculator({ tariffId: 'T', currency: 'EUR', idleTime: { prices: [{ priceMinute: 0.10, conditions: { minIdleTime: 600 } }] } }, AC, T0);
  feed(grace, 0, 30, 0);
  assert.deepEqual(grace.totalCost().idleTime, { exclTax: 2.00, inclTax: 2.00 });
  assertValid(grace);
});

test('an energy threshold inside one segment splits it exactly: 10 kWh at 0.30 then 10 kWh at 0.50 → 8.00', () => {
  const c = new CostCalculator({
    tariffId: 'Steps', currency: 'EUR', energy: { prices: [{ priceKwh: 0.30, conditions: { maxEnergy: 10000 } }, { priceKwh: 0.50 }] },
  }, AC, T0);
  feed(c, 0, 120, 20);
  assert.deepEqual(c.totalCost().energy, { exclTax: 8.00, inclTax: 8.00 });
  const periods = c.costDetails(true).chargingPeriods;
  assert.equal(periods.length, 2);
  assert.equal(periods[1].startPeriod, '2025-03-01T11:00:00Z');
  assert.deepEqual(periods[1].dimensions, [{ type: 'Energy', volume: 10000 }, { type: 'ChargingTime', volume: 3600 }]);
  assertValid(c);
});

test('a time-of-day window (22:00-06:00 wraps midnight): 21:00-23:00 at 10 kW → 10 kWh at 0.40 + 10 kWh at 0.20', () => {
  const start = Date.parse('2025-03-01T21:00:00Z');
  const c = new CostCalculator({
    tariffId: 'Night', currency: 'EUR',
    energy: { prices: [{ priceKwh: 0.20, conditions: { startTimeOfDay: '22:00', endTimeOfDay: '06:00' } }, { priceKwh: 0.40 }] },
  }, AC, start);
  feed(c, 0, 120, 20, start);
  assert.equal(c.totalCost().energy.exclTax, 6.00);
  // Charging time priced per minute only on Saturdays (2025-03-01 is one): 60 min × 0.05 = 3.00.
  const sat = new CostCalculator({ tariffId: 'Sat', currency: 'EUR', chargingTime: { prices: [{ priceMinute: 0.05, conditions: { dayOfWeek: ['Saturday'] } }] } }, AC, start);
  feed(sat, 0, 240, 40, start); // 21:00 Saturday → 01:00 Sunday: 3 h on Saturday
  assert.equal(sat.totalCost().chargingTime.exclTax, 9.00);
});

test('minCost and maxCost bound the total (bounds without tax get the session tax rate); typeOfCost says which', () => {
  const base = { tariffId: 'B', currency: 'EUR', energy: { prices: [{ priceKwh: 0.45 }], taxRates: VAT } };
  const low = new CostCalculator({ ...base, minCost: { exclTax: 5 } }, AC, T0);
  feed(low, 0, 10, 1);
  assert.deepEqual(low.totalCost().total, { exclTax: 5, inclTax: 6.05 });
  assert.equal(low.totalCost().typeOfCost, 'MinCost');
  const high = new CostCalculator({ ...base, maxCost: { exclTax: 5, inclTax: 6 } }, AC, T0);
  feed(high, 0, 120, 20);
  assert.deepEqual(high.totalCost().total, { exclTax: 5, inclTax: 6 });
  assert.equal(high.totalCost().typeOfCost, 'MaxCost');
  assert.deepEqual(high.totalCost().energy, { exclTax: 9.00, inclTax: 10.89 });
  assertValid(high);
});

test('stacked taxes: 20 % on the net, 10 % on top → ×1.32; fixed fee by payment brand; evseKind conditions', () => {
  assert.ok(Math.abs(taxFactor([{ type: 'VAT', tax: 20 }, { type: 'Levy', tax: 10, stack: 1 }]) - 1.32) < 1e-12);
  const tariff = {
    tariffId: 'Card', currency: 'EUR',
    energy: { prices: [{ priceKwh: 0.60, conditions: { evseKind: 'DC' } }, { priceKwh: 1.00 }], taxRates: [{ type: 'VAT', tax: 20 }, { type: 'Levy', tax: 10, stack: 1 }] },
    fixedFee: { prices: [{ priceFixed: 0.50, conditions: { paymentBrand: 'Visa' } }, { priceFixed: 0.20 }] },
  };
  const visa = new CostCalculator(tariff, { evseKind: 'AC', paymentBrand: 'Visa' }, T0);
  feed(visa, 0, 60, 10);
  assert.deepEqual(visa.totalCost().energy, { exclTax: 10.00, inclTax: 13.20 });
  assert.deepEqual(visa.totalCost().total, { exclTax: 10.50, inclTax: 13.70 });
  const dc = new CostCalculator(tariff, { evseKind: 'DC', paymentBrand: 'Mastercard' }, T0);
  feed(dc, 0, 60, 10);
  assert.deepEqual(dc.totalCost().total, { exclTax: 6.20, inclTax: 8.12 });
});

test('ChangeTransactionTariff: usage before the change keeps its prices; a new charging period with the new tariffId', () => {
  const c = new CostCalculator({ tariffId: 'Old', currency: 'EUR', energy: { prices: [{ priceKwh: 0.40 }] } }, AC, T0);
  feed(c, 0, 60, 10);
  c.changeTariff({ tariffId: 'New', currency: 'EUR', energy: { prices: [{ priceKwh: 0.20 }] } });
  feed(c, 60, 60, 10);
  assert.equal(c.totalCost().energy.exclTax, 6.00);
  assert.deepEqual(c.costDetails(true).chargingPeriods.map((p: Payload) => [p.tariffId, p.startPeriod]), [['Old', '2025-03-01T10:00:00Z'], ['New', '2025-03-01T11:00:00Z']]);
  assert.equal(c.tariffId, 'New');
  assertValid(c);
});
