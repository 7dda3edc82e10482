import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StationGroupSpec } from '../../src/scenario/spec.js';
import { stationIdentity } from '../../src/station/identity.js';
import { schemaErrors } from './schema-helper.js';

const group: StationGroupSpec = {
  name: 'ac', count: 10, idTemplate: 'CS-{index:05}', behaviour: 'charging',
  evses: [{ current: 'AC', maxPowerW: 22080, phases: 3, voltageV: 230, connectors: [{ type: 'cType2' }] }],
};

function luhnOk(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, dbl = false; i >= 0; i--, dbl = !dbl) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

test('identity is a function of (seed, index) only, whatever was generated before', () => {
  const a = stationIdentity(42, 7, group);
  stationIdentity(42, 8, group);
  stationIdentity(1, 7, group);
  assert.deepEqual(stationIdentity(42, 7, group), a);
  assert.notDeepEqual(stationIdentity(43, 7, group), a);
  assert.notEqual(stationIdentity(42, 8, group).serialNumber, a.serialNumber);
});

test('identity fields respect the BootNotification limits and serials are unique', () => {
  const serials = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const id = stationIdentity(7, i * 997, group);
    assert.ok(id.vendorName.length > 0 && id.vendorName.length <= 50, id.vendorName);
    assert.ok(id.model.length > 0 && id.model.length <= 20, id.model);
    assert.ok(id.serialNumber.length <= 25, id.serialNumber);
    assert.ok(id.firmwareVersion.length <= 50);
    assert.match(id.modem.iccid, /^89\d{16,18}$/);
    assert.ok(id.modem.iccid.length <= 20 && luhnOk(id.modem.iccid), id.modem.iccid);
    assert.match(id.modem.imsi, /^\d{15}$/);
    serials.add(id.serialNumber);
  }
  assert.equal(serials.size, 3000);
  // Large global indices (many shards) still fit.
  assert.ok(stationIdentity(7, 2 ** 40, group).serialNumber.length <= 25);
});

test('identity is a schema-valid BootNotificationRequest.chargingStation', () => {
  for (let i = 0; i < 50; i++) {
    const payload = { reason: 'PowerUp', chargingStation: stationIdentity(3, i, group) };
    assert.equal(schemaErrors('BootNotificationRequest', payload), null);
  }
});

test('group vendor and model override the generated ones (truncated to the limits)', () => {
  const id = stationIdentity(1, 1, { ...group, vendor: 'ACME', model: 'WallBox-22-with-a-very-long-name' });
  assert.equal(id.vendorName, 'ACME');
  assert.equal(id.model, 'WallBox-22-with-a-ve');
  assert.equal(stationIdentity(1, 1, group).serialNumber, id.serialNumber);
});

