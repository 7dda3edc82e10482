import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvseModel } from '../../src/scenario/spec.js';
import {
  meterValue, parseMeasurands, sampledValues, SUPPORTED_MEASURANDS, type MeterReading, type ReadingContext,
} from '../../src/station/meter.js';
import { EvsePhysics } from '../../src/station/physics.js';
import { schemaErrors } from './schema-helper.js';

const AC22: EvseModel = { current: 'AC', maxPowerW: 22080, phases: 3, voltageV: 230, connectors: [{ type: 'cType2' }] };
const DC50: EvseModel = { current: 'DC', maxPowerW: 50000, phases: 3, voltageV: 500, connectors: [{ type: 'cCCS2' }] };
const T0 = Date.UTC(2025, 2, 1, 10, 0, 0);
const ALL = parseMeasurands(SUPPORTED_MEASURANDS.join(','));
const CONTEXTS: ReadingContext[] = ['Transaction.Begin', 'Sample.Periodic', 'Sample.Clock', 'Trigger', 'Transaction.End'];

function charging(model: EvseModel): EvsePhysics {
  const ev = new EvsePhysics(model, 1_234_567.891);
  ev.plugIn({ batteryWh: 60_000, initialSocPct: 42.37, carMaxPowerW: 11_000, targetEnergyWh: Infinity, batteryVoltageV: 380 });
  ev.energize(true);
  ev.advance(61_234);
  return ev;
}

test('AC: schema-valid MeterValues and TransactionEvent meterValue, per-phase current and voltage', () => {
  const ev = charging(AC22);
  for (const context of CONTEXTS) {
    const mv = meterValue(ev, ALL, context, T0)!;
    assert.equal(schemaErrors('MeterValuesRequest', { evseId: 1, meterValue: [mv] }), null);
    const tx = {
      eventType: 'Updated', timestamp: mv.timestamp, triggerReason: 'MeterValuePeriodic', seqNo: 3,
      transactionInfo: { transactionId: 'tx-1' }, meterValue: [mv],
    };
    assert.equal(schemaErrors('TransactionEventRequest', tx), null);
    assert.ok(mv.sampledValue.every((s) => s.context === context));
  }
  const sv = sampledValues(ev, ALL, 'Sample.Periodic');
  assert.deepEqual(sv.filter((s) => s.measurand === 'Current.Import').map((s) => s.phase), ['L1', 'L2', 'L3']);
  assert.deepEqual(sv.filter((s) => s.measurand === 'Voltage').map((s) => s.phase), ['L1-N', 'L2-N', 'L3-N']);
  const reg = sv.find((s) => s.measurand === 'Energy.Active.Import.Register')!;
  assert.equal(reg.phase, undefined);
  assert.equal(reg.unitOfMeasure?.unit, 'Wh');
  assert.equal(reg.value, Math.round(ev.registerWh * 10) / 10);
  const cur = sv.find((s) => s.measurand === 'Current.Import')!;
  assert.equal(cur.value, Math.round((11000 / 690) * 100) / 100);
  const soc = sv.find((s) => s.measurand === 'SoC')!;
  assert.equal(soc.location, 'EV');
  assert.equal(soc.unitOfMeasure?.unit, 'Percent');
});

test('DC: no phases, current = P / V, schema-valid', () => {
  const ev = charging(DC50);
  const mv = meterValue(ev, ALL, 'Sample.Periodic', T0)!;
  assert.equal(schemaErrors('MeterValuesRequest', { evseId: 2, meterValue: [mv] }), null);
  assert.ok(mv.sampledValue.every((s) => s.phase === undefined));
  assert.equal(mv.sampledValue.find((s) => s.measurand === 'Current.Import')!.value, Math.round((11000 / 380) * 100) / 100);
  assert.equal(mv.sampledValue.find((s) => s.measurand === 'Frequency'), undefined);
});

test('import values are never negative and idle EVSEs report no SoC', () => {
  const broken: MeterReading = {
    current: 'AC', phases: 1, registerWh: -5, powerW: -0, offeredW: -1, voltageV: 229.94, currentA: -3, offeredA: NaN, socPct: undefined,
  };
  const sv = sampledValues(broken, ALL, 'Trigger');
  assert.ok(sv.every((s) => s.value >= 0 && !Object.is(s.value, -0)), JSON.stringify(sv));
  assert.equal(sv.find((s) => s.measurand === 'SoC'), undefined);
  assert.equal(sv.filter((s) => s.measurand === 'Current.Import').length, 1);
  assert.equal(schemaErrors('MeterValuesRequest', { evseId: 0, meterValue: [{ timestamp: '2025-03-01T10:00:00.000Z', sampledValue: sv }] }), null);
});

test('measurand lists: unsupported dropped, memoised, empty list gives no meterValue', () => {
  const a = parseMeasurands('Energy.Active.Import.Register, Power.Active.Import,Bogus,Power.Active.Import');
  assert.deepEqual(a, ['Energy.Active.Import.Register', 'Power.Active.Import']);
  assert.equal(parseMeasurands('Energy.Active.Import.Register, Power.Active.Import,Bogus,Power.Active.Import'), a);
  assert.equal(meterValue(charging(AC22), parseMeasurands(''), 'Sample.Periodic', T0), undefined);
  const begin = meterValue(charging(AC22), parseMeasurands('Energy.Active.Import.Register'), 'Transaction.Begin', T0)!;
  assert.equal(begin.timestamp, '2025-03-01T10:00:00.000Z');
  assert.equal(begin.sampledValue.length, 1);
});
