// The embedded CSMS's tariffs and payments (FLOWS.md §7): its default tariff after an accepted 2.1 boot (and not on
// 2.0.1 or without csms.tariff), schema-valid tariffs from every option, VatNumberValidation / NotifySettlement
// answers, and the final cost confirmed in the answer to Ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCsms } from '../../src/csms/server.js';
import { tariffPayload } from '../../src/csms/usecases/tariffs.js';
import { validatorFor } from '../../src/ocpp/schemas.js';
import { DEFAULTS } from '../../src/scenario/defaults.js';
import type { CsmsTariffSpec } from '../../src/scenario/spec.js';
import { now, TestClient } from './client.js';

const FULL: CsmsTariffSpec = {
  ...DEFAULTS.csmsTariff, chargingPriceMinute: 0.02, idlePriceMinute: 0.1, idleGrace: 600_000, offPeak: { from: '22:00', to: '06:00', priceKwh: 0.3 },
  minCost: 0.5, maxCost: 60,
};

test('tariffPayload: schema-valid from the defaults and from every option; idle grace as minIdleTime, off-peak first', () => {
  const v = validatorFor('2.1');
  for (const t of [DEFAULTS.csmsTariff, FULL, { ...FULL, vatPercent: 0, fixedFee: 0 }]) {
    assert.equal(v.request('SetDefaultTariff', { evseId: 0, tariff: tariffPayload(t) }), null);
  }
  const p = tariffPayload(FULL, { tariffId: 'X', priceKwh: 0.2 });
  assert.equal(p.tariffId, 'X');
  assert.deepEqual(p.energy.prices, [{ priceKwh: 0.3, conditions: { startTimeOfDay: '22:00', endTimeOfDay: '06:00' } }, { priceKwh: 0.2 }]);
  assert.deepEqual(p.idleTime.prices, [{ priceMinute: 0.1, conditions: { minIdleTime: 600 } }]);
  assert.deepEqual(p.energy.taxRates, [{ type: 'VAT', tax: 21 }]);
  assert.deepEqual(p.minCost, { exclTax: 0.5 });
});

test('default tariff after an accepted 2.1 boot; payments answered; the Ended total confirmed as totalCost', async () => {
  const csms = await startCsms({ spec: { tariff: FULL } });
  try {
    const c = await TestClient.open(csms.url, 'CS-T1');
    await c.boot();
    const set = await c.nextCall('SetDefaultTariff');
    assert.equal(set.evseId, 0);
    assert.equal(set.tariff.tariffId, 'Default01');
    const vat = await c.call('VatNumberValidation', { vatNumber: 'NL123456789B01', evseId: 1 });
    assert.ok(vat.ok && vat.payload.status === 'Accepted' && vat.payload.company.name && vat.payload.evseId === 1);
    const bad = await c.call('VatNumberValidation', { vatNumber: '12' });
    assert.ok(bad.ok && bad.payload.status === 'Rejected' && bad.payload.company === undefined);
    const s = await c.call('NotifySettlement', { pspRef: 'PSP-1', status: 'Settled', settlementAmount: 10.22, settlementTime: now() });
    assert.ok(s.ok);
    const costDetails = {
      totalCost: { currency: 'EUR', typeOfCost: 'NormalCost', total: { exclTax: 8.45, inclTax: 10.22 } }, totalUsage: { energy: 18000, chargingTime: 7200, idleTime: 0 },
    };
    const tx = { transactionId: 'tx-t1' };
    await c.call('TransactionEvent', { eventType: 'Started', timestamp: now(), triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: tx, evse: { id: 1, connectorId: 1 } });
    const ended = await c.call('TransactionEvent', { eventType: 'Ended', timestamp: now(), triggerReason: 'EVCommunicationLost', seqNo: 1, transactionInfo: { ...tx, stoppedReason: 'EVDisconnected' }, costDetails });
    assert.ok(ended.ok && ended.payload.totalCost === 10.22);
    const u = csms.stats().useCases;
    assert.equal(u['tariff.defaultAccepted'], 1);
    assert.equal(u['payments.settlementSettled'], 1);
    assert.equal(u['tariff.sessionsPriced'], 1);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('no default tariff without csms.tariff, nor to a 2.0.1 station', async () => {
  for (const [opts, id] of [[{}, 'CS-T2'], [{ spec: { tariff: FULL }, protocols: ['ocpp2.0.1'] as const }, 'CS-T3']] as const) {
    const csms = await startCsms(opts);
    try {
      const c = await TestClient.open(csms.url, id);
      await c.boot();
      await c.call('Heartbeat', {});
      await assert.rejects(c.nextCall('SetDefaultTariff', 300));
      await c.close();
    } finally {
      await csms.close();
    }
  }
});
