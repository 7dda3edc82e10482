import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chargingFleet, runAttackScenario as runAttacks } from '../support/attack-run.js';

test('F03 connectivity flaps: drops during charging, offline backlog flushed on reconnect — the detector stays silent', async () => {
  const yaml = chargingFleet(5, 12, 'attacks:\n  - { type: F03, instances: 2, start: 2s, duration: 7s, params: { outage: 2s } }\n')
    .replace('drainTimeout: 2s', 'drainTimeout: 2s\nreconnect: { waitMinimum: 300ms, randomRange: 200ms, repeatTimes: 10 }');
  const r = await runAttacks(yaml);
  const insts = r.of('F03');
  assert.equal(insts.length, 2, `instances: ${JSON.stringify(r.run.result.attacks?.notInjected)}`);
  for (const inst of insts) {
    assert.equal(inst.cls, 'benign');
    assert.equal(inst.scope.stations?.length, 1, `${inst.id} scope`);
    assert.ok(inst.tEndMs >= inst.tStartMs);
  }
  // The stations really went away and delivered a backlog marked offline.
  assert.ok(r.run.counter('disconnects') >= 2 && r.run.counter('reconnects') >= 2, 'both targets dropped and came back');
  assert.ok(r.run.counter('offline_queued') > 0, 'events queued while offline');
  assert.ok(r.run.counter('offline_delivered') >= r.run.counter('offline_queued'), 'the backlog was flushed with offline=true');
  assert.deepEqual(r.alerts.map((a) => [a.category, a.entity, (a.evidence as { rule?: string }).rule]), [], 'silent on benign flaps');
});
