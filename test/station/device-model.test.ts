import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { EvseModel } from '../../src/scenario/spec.js';
import { DeviceModel, deviceModelTemplate, type VariableChange } from '../../src/station/device-model.js';
import { ProfileStore } from '../../src/station/smart-charging.js';
import { schemaErrors } from './schema-helper.js';

const EVSES: readonly EvseModel[] = [
  { current: 'AC', maxPowerW: 22080, phases: 3, voltageV: 230, connectors: [{ type: 'cType2' }] },
  { current: 'DC', maxPowerW: 150000, phases: 3, voltageV: 920, connectors: [{ type: 'cCCS2' }, { type: 'cCHAdeMO' }] },
];
const RUN_DEFAULTS = { 'SampledDataCtrlr.TxUpdatedInterval': '30', 'OCPPCommCtrlr.RetryBackOffWaitMinimum': '5' };

function model(): DeviceModel {
  return new DeviceModel(EVSES, { ...RUN_DEFAULTS, 'SecurityCtrlr.Identity': 'CS-00001', 'SecurityCtrlr.BasicAuthPassword': 'correct-horse-battery' });
}

test('GetVariables: statuses per item, same order, schema-valid', () => {
  const dm = model();
  dm.source = { dynamicValue: (c, v, evse) => (c === 'EVSE' && v === 'Power' ? String(evse * 1000) : undefined) };
  const req = {
    getVariableData: [
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageAttempts', instance: 'TransactionEvent' } },
      { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet' as const },
      { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' } },
      { component: { name: 'Connector', evse: { id: 2, connectorId: 2 } }, variable: { name: 'ConnectorType' } },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
      { component: { name: 'FooCtrlr' }, variable: { name: 'Bar' } },
      { component: { name: 'TxCtrlr' }, variable: { name: 'NoSuchVariable' } },
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: 'Target' as const },
      { component: { name: 'EVSE', evse: { id: 3 } }, variable: { name: 'Power' } },
      { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' } },
    ],
  };
  assert.equal(schemaErrors('GetVariablesRequest', req), null);
  const res = dm.getVariables(req.getVariableData);
  assert.equal(schemaErrors('GetVariablesResponse', { getVariableResult: res }), null);
  assert.deepEqual(res.map((r) => [r.attributeStatus, r.attributeValue, r.attributeStatusInfo?.reasonCode]), [
    ['Accepted', '3', undefined],
    ['Accepted', '22080', undefined],
    ['Accepted', '2000', undefined],
    ['Accepted', 'cCHAdeMO', undefined],
    ['Rejected', undefined, 'WriteOnly'],
    ['UnknownComponent', undefined, undefined],
    ['UnknownVariable', undefined, undefined],
    ['NotSupportedAttributeType', undefined, undefined],
    ['UnknownComponent', undefined, undefined],
    ['Accepted', '30', undefined],
    ['Accepted', 'CS-00001', undefined],
  ]);
  assert.equal(res[1]!.attributeType, 'MaxSet');
  assert.equal(res[6]!.component, req.getVariableData[6]!.component);
});

test('SetVariables: accepted, ReadOnly, type checks, RebootRequired, onChange', () => {
  const dm = model();
  const changes: VariableChange[] = [];
  dm.onChange = (c) => changes.push(c);
  const set = (component: string, name: string, value: string, instance?: string) => ({
    component: { name: component }, variable: instance ? { name, instance } : { name }, attributeValue: value,
  });
  const req = {
    setVariableData: [
      set('OCPPCommCtrlr', 'HeartbeatInterval', '120'),
      set('SecurityCtrlr', 'SecurityProfile', '2'),
      set('OCPPCommCtrlr', 'MessageTimeout', '10', 'Default'),
      set('SampledDataCtrlr', 'TxUpdatedInterval', 'soon'),
      set('SampledDataCtrlr', 'TxUpdatedInterval', '-1'),
      set('TxCtrlr', 'StopTxOnInvalidId', 'FALSE'),
      set('TxCtrlr', 'StopTxOnEVSideDisconnect', 'yes'),
      set('SampledDataCtrlr', 'TxUpdatedMeasurands', 'Energy.Active.Import.Register,Power.Reactive.Import'),
      set('SampledDataCtrlr', 'TxUpdatedMeasurands', 'Energy.Active.Import.Register, Current.Import'),
      set('TxCtrlr', 'TxStartPoint', 'PowerPathClosed'),
      set('SmartChargingCtrlr', 'LimitChangeSignificance', '150'),
      set('SmartChargingCtrlr', 'LimitChangeSignificance', '12.5'),
      set('SecurityCtrlr', 'BasicAuthPassword', 'short'),
      set('SecurityCtrlr', 'BasicAuthPassword', 'a-much-longer-password-1234'),
      set('OCPPCommCtrlr', 'NetworkConfigurationPriority', '1,0'),
      set('OCPPCommCtrlr', 'NetworkConfigurationPriority', 'x'),
      set('Nope', 'Nope', '1'),
      { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet' as const, attributeValue: '1' },
      { ...set('OCPPCommCtrlr', 'HeartbeatInterval', '1'), attributeType: 'MinSet' as const },
    ],
  };
  assert.equal(schemaErrors('SetVariablesRequest', req), null);
  const res = dm.setVariables(req.setVariableData);
  assert.equal(schemaErrors('SetVariablesResponse', { setVariableResult: res }), null);
  assert.deepEqual(res.map((r) => [r.attributeStatus, r.attributeStatusInfo?.reasonCode]), [
    ['Accepted', undefined],
    ['Rejected', 'ReadOnly'],
    ['Rejected', 'ReadOnly'],
    ['Rejected', 'InvalidValue'],
    ['Rejected', 'ValueTooLow'],
    ['Accepted', undefined],
    ['Rejected', 'InvalidValue'],
    ['Rejected', 'InvalidValue'],
    ['Accepted', undefined],
    ['Accepted', undefined],
    ['Rejected', 'ValueTooHigh'],
    ['Accepted', undefined],
    ['Rejected', 'InvalidValue'],
    ['Accepted', undefined],
    ['RebootRequired', undefined],
    ['Rejected', 'InvalidValue'],
    ['UnknownComponent', undefined],
    ['Rejected', 'ReadOnly'],
    ['NotSupportedAttributeType', undefined],
  ]);
  assert.equal(dm.heartbeatIntervalS, 120);
  assert.equal(dm.stopTxOnInvalidId, false);
  assert.equal(dm.value('TxCtrlr', 'StopTxOnInvalidId'), 'false');
  assert.deepEqual(dm.txUpdatedMeasurands, ['Energy.Active.Import.Register', 'Current.Import']);
  assert.deepEqual(dm.txStartPoint, ['PowerPathClosed']);
  assert.equal(dm.basicAuthPassword, 'a-much-longer-password-1234');
  assert.deepEqual(dm.list('OCPPCommCtrlr', 'NetworkConfigurationPriority'), ['1', '0']);
  assert.equal(changes.length, 7);
  assert.deepEqual(changes[0], { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', evseId: 0, connectorId: 0, value: '120', rebootRequired: false });
  assert.equal(changes[6]!.rebootRequired, true);
});

test('typed getters, internal writes and the run-wide defaults', () => {
  const dm = model();
  assert.equal(dm.txUpdatedIntervalS, 30);
  assert.equal(dm.retryBackOffWaitMinimumS, 5);
  assert.equal(dm.messageAttemptsTransactionEvent, 3);
  assert.equal(dm.authorizeRemoteStart, false);
  assert.deepEqual(dm.txStartedMeasurands, ['Energy.Active.Import.Register']);
  assert.equal(dm.int('OCPPCommCtrlr', 'MessageAttemptInterval', -1, 'TransactionEvent'), 10);
  assert.equal(dm.int('Nope', 'Nope', -1), -1);
  assert.equal(dm.bool('TxCtrlr', 'StopTxOnInvalidId', false), true);
  assert.ok(dm.set('OCPPCommCtrlr', 'HeartbeatInterval', '900'));
  assert.equal(dm.heartbeatIntervalS, 900);
  assert.ok(dm.set('Connector', 'AvailabilityState', 'Occupied', undefined, { id: 2, connectorId: 1 }));
  assert.equal(dm.value('Connector', 'AvailabilityState', undefined, { id: 2, connectorId: 1 }), 'Occupied');
  assert.equal(dm.value('Connector', 'AvailabilityState', undefined, { id: 2, connectorId: 2 }), 'Available');
  assert.deepEqual(dm.smartChargingLimits, { maxStackLevel: 8, maxPeriods: 24, maxProfiles: 16 });
  assert.throws(() => new DeviceModel(EVSES, { 'OCPPCommCtrlr.Typo': '1' }));
});

test('reports: chunked by ItemsPerMessage[GetReport], schema-valid NotifyReports, base filters', () => {
  const dm = model();
  const rows = dm.template.rows.length;
  const full = dm.report('FullInventory');
  assert.equal(full.reduce((n, c) => n + c.length, 0), rows);
  assert.ok(full.length > 1 && full.every((c) => c.length <= 50 && c.length > 0));
  full.forEach((reportData, seqNo) => {
    const req = { requestId: 42, generatedAt: '2025-03-01T10:00:10Z', seqNo, tbc: seqNo < full.length - 1, reportData };
    assert.equal(schemaErrors('NotifyReportRequest', req), null);
  });
  const all = full.flat();
  const pw = all.find((r) => r.variable.name === 'BasicAuthPassword')!;
  assert.equal(pw.variableAttribute[0]!.value, undefined);
  const power = all.find((r) => r.component.name === 'EVSE' && r.component.evse?.id === 2 && r.variable.name === 'Power')!;
  assert.deepEqual(power.variableAttribute.map((a) => [a.type, a.value]), [['Actual', '0'], ['MaxSet', '150000']]);
  const config = dm.report('ConfigurationInventory', 1000);
  assert.equal(config.length, 1);
  assert.ok(config[0]!.every((r) => r.variableAttribute[0]!.mutability !== 'ReadOnly'));
  assert.ok(config[0]!.some((r) => r.variable.name === 'HeartbeatInterval'));
  const summary = dm.report('SummaryInventory', 1000)[0]!;
  // ChargingStation 3 + EVSE 2×2 + Connector 3×2
  assert.equal(summary.length, 13);
  assert.equal(schemaErrors('NotifyReportRequest', { requestId: 1, generatedAt: '2025-03-01T10:00:10Z', seqNo: 0, reportData: summary }), null);
  const evse2 = dm.customReport([{ component: { name: 'Connector', evse: { id: 2 } }, variable: { name: 'ConnectorType' } }]).flat();
  assert.deepEqual(evse2.map((r) => r.variableAttribute[0]!.value), ['cCCS2', 'cCHAdeMO']);
  const enabled = dm.customReport(undefined, ['Enabled'], 1000).flat();
  assert.ok(enabled.some((r) => r.component.name === 'SmartChargingCtrlr'));
  assert.ok(!enabled.some((r) => r.component.name === 'AuthCacheCtrlr'));
  assert.deepEqual(dm.customReport([{ component: { name: 'Nope' } }]), []);
});

test('stations share one template and keep only their own values (memory budget)', () => {
  const a = new DeviceModel(EVSES, { ...RUN_DEFAULTS, 'SecurityCtrlr.Identity': 'CS-00001' });
  const b = new DeviceModel(EVSES, { ...RUN_DEFAULTS, 'SecurityCtrlr.Identity': 'CS-00002' });
  assert.equal(a.template, b.template);
  assert.equal(a.template, deviceModelTemplate(EVSES, RUN_DEFAULTS));
  assert.notEqual(model().template, a.template);
  assert.equal(b.value('SecurityCtrlr', 'Identity'), 'CS-00002');

  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const n = 20_000;
  const keep: unknown[] = new Array(n);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) {
    const dm = new DeviceModel(EVSES, { ...RUN_DEFAULTS, 'SecurityCtrlr.Identity': `CS-${i}` });
    keep[i] = [dm, new ProfileStore(EVSES, dm.smartChargingLimits)];
  }
  gc();
  const perStation = (process.memoryUsage().heapUsed - before) / n;
  assert.ok(perStation < 1024, `${perStation.toFixed(0)} bytes per station`);
  assert.equal(keep.length, n);
});
