// Acceptance (FLOWS.md §1.1, §1.8): against a CSMS that only speaks OCPP 2.0.1 the fleet negotiates ocpp2.0.1 and
// then speaks 2.0.1 only: every frame it sends validates against the 2.0.1 schemas, no 2.1-only action and no
// message type 5/6 appears, and a 2.1-only request from the CSMS is answered NotImplemented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCall } from '../../src/ocpp/framing.js';
import { validatorFor } from '../../src/ocpp/schemas.js';
import type { Payload } from '../../src/ocpp/session.js';
import { auditFrames } from '../support/audit.js';
import { runScenario, scenario, waitFor } from '../support/fleet.js';
import { versionServer } from '../support/servers.js';
import { startTap } from '../support/tap.js';

const STATIONS = 5;

const TEXT = `
name: fallback
seed: 17
callTimeout: 3s
stations:
  - { name: ac, count: 3, evses: 2 }
  - { name: dc, count: 2, evses: 1, evse: { type: DC, maxKw: 150 } }
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: 300ms
  plugDuration: { uniform: [1500ms, 2500ms] }
  meterInterval: 1s
phases:
  - { duration: 0s, target: 100% }
  - { duration: 5s, target: 100% }
drainTimeout: 3s
`;

/** CSMS→station requests valid in 2.0.1, plus one that only exists in 2.1. */
const BROADCASTS: [string, Payload][] = [
  ['GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] }],
  ['TriggerMessage', { requestedMessage: 'MeterValues' }],
  ['TriggerMessage', { requestedMessage: 'StatusNotification' }],
  ['SetChargingProfile', {
    evseId: 0,
    chargingProfile: { id: 7, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative',
      chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7400 }] }] },
  }],
  ['GetCompositeSchedule', { duration: 600, evseId: 1, chargingRateUnit: 'W' }],
  ['GetBaseReport', { requestId: 5, reportBase: 'FullInventory' }],
  ['GetTransactionStatus', {}],
  ['ClearTariffs', {}],
];

test('against a 2.0.1-only CSMS the fleet negotiates ocpp2.0.1 and every frame it sends is valid 2.0.1', async () => {
  const v201 = validatorFor('2.0.1');
  for (const [action, payload] of BROADCASTS) {
    if (action === 'ClearTariffs') assert.equal(v201.has(action), false, 'ClearTariffs is 2.1-only');
    else assert.equal(v201.request(action, payload), null, `${action} request is valid 2.0.1`);
  }
  const server = await versionServer(['ocpp2.0.1']);
  const tap = await startTap(server.url);
  try {
    const running = runScenario(scenario(TEXT), `${tap.url}/ocpp`);
    const booted = (): number => tap.frames.filter((f) => f.dir === 'toStation' && f.text.includes('"Accepted"') && f.text.includes('"interval"')).length;
    assert.ok(await waitFor(() => booted() >= STATIONS, 5000), 'all stations booted');
    await new Promise((r) => setTimeout(r, 1500)); // let sessions start, so profiles and triggers meet transactions
    BROADCASTS.forEach(([action, payload], i) => server.broadcast(encodeCall(`v201-${i}`, action, payload)));
    const run = await running;

    assert.equal(server.connections, STATIONS);
    assert.deepEqual([...new Set(server.protocols)], ['ocpp2.0.1']);
    assert.ok(tap.frames.every((f) => f.protocol === 'ocpp2.0.1'));
    const audit = auditFrames(tap.frames);
    assert.deepEqual(audit.stationProblems.slice(0, 20), [], `${audit.stationProblems.length} station frames are not valid 2.0.1`);
    // The test server's side: only our deliberate 2.1-only request is out of place.
    assert.ok(audit.csmsProblems.length > 0 && audit.csmsProblems.every((p) => p.includes('ClearTariffs')), audit.csmsProblems.join('\n'));
    // Only CALL, CALLRESULT and the CALLERRORs for ClearTariffs; never 5 or 6.
    assert.deepEqual([...audit.stationTypes.keys()].sort(), [2, 3, 4]);
    assert.equal(audit.errors.length, STATIONS);
    assert.ok(audit.errors.every((e) => / ClearTariffs CALLERROR NotImplemented: /.test(e)), audit.errors.join('\n'));

    const count = (action: string): number => audit.stationCalls.filter((c) => c.action === action).length;
    assert.equal(count('BootNotification'), STATIONS);
    const tx = audit.stationCalls.filter((c) => c.action === 'TransactionEvent');
    const started = tx.filter((c) => c.payload.eventType === 'Started').length;
    assert.ok(started >= STATIONS, `transactions: ${started}`);
    assert.equal(tx.filter((c) => c.payload.eventType === 'Ended').length, started);
    assert.ok(count('MeterValues') >= STATIONS, 'TriggerMessage(MeterValues) answered with MeterValues');
    // Each station's full report arrived whole: parts seqNo 0..n, tbc until the last (none withheld as invalid).
    for (let conn = 0; conn < STATIONS; conn++) {
      const parts = audit.stationCalls.filter((c) => c.conn === conn && c.action === 'NotifyReport' && c.payload.requestId === 5);
      assert.ok(parts.length >= 2, `station ${conn}: ${parts.length} report parts`);
      assert.deepEqual(parts.map((c) => c.payload.seqNo), parts.map((_c, i) => i), `station ${conn}: report seqNos`);
      assert.deepEqual(parts.map((c) => c.payload.tbc === true), parts.map((_c, i) => i < parts.length - 1));
    }
    // Every valid 2.0.1 request was answered with a (schema-valid, see above) CALLRESULT by every station.
    for (const [action] of BROADCASTS.filter(([a]) => a !== 'ClearTariffs')) {
      assert.ok((audit.answered.get(action) ?? 0) >= STATIONS, `${action} answered by every station`);
    }
    assert.deepEqual(Object.keys(run.snapshot.counters).filter((k) => k.startsWith('protocol_')), []);
    assert.deepEqual(run.snapshot.incoming.ClearTariffs, { 'callerror:NotImplemented': STATIONS });
  } finally {
    await tap.close();
    await server.close();
  }
});
