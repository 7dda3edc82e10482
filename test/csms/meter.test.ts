import { test } from 'node:test';
import assert from 'node:assert/strict';
import { energyRegisterWh } from '../../src/csms/meter.js';

const T = '2025-03-01T10:00:00Z';

test('reads Energy.Active.Import.Register in Wh, kWh and with a multiplier; measurand defaults to the register', () => {
  assert.equal(energyRegisterWh([{ timestamp: T, sampledValue: [{ value: 1234 }] }]), 1234);
  assert.equal(energyRegisterWh([{ timestamp: T, sampledValue: [{ value: 1.5, unitOfMeasure: { unit: 'kWh' } }] }]), 1500);
  assert.equal(energyRegisterWh([{ timestamp: T, sampledValue: [{ value: 12, unitOfMeasure: { unit: 'Wh', multiplier: 3 } }] }]), 12000);
});

test('ignores other measurands and EV-side values; sums phases when no total is given; last sample wins', () => {
  const mv = [
    { timestamp: T, sampledValue: [{ value: 100, measurand: 'Energy.Active.Import.Register' }] },
    {
      timestamp: T, sampledValue: [
        { value: 11000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
        { value: 999, measurand: 'Energy.Active.Import.Register', location: 'EV' },
        { value: 10, measurand: 'Energy.Active.Import.Register', phase: 'L1' },
        { value: 20, measurand: 'Energy.Active.Import.Register', phase: 'L2' },
        { value: 30, measurand: 'Energy.Active.Import.Register', phase: 'L3' },
      ],
    },
  ];
  assert.equal(energyRegisterWh(mv), 60);
  assert.ok(Number.isNaN(energyRegisterWh([{ timestamp: T, sampledValue: [{ value: 5, measurand: 'SoC' }] }])));
  assert.ok(Number.isNaN(energyRegisterWh(undefined)));
});
