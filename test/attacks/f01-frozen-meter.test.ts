import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsAround, alertStation, chargingFleet, runAttackScenario as runAttacks, singleStation } from '../support/attack-run.js';

test('F01 frozen meter: the same reading again and again while charging is flagged as maintenance, never as a security category', async () => {
  const r = await runAttacks(chargingFleet(5, 9, 'attacks:\n  - { type: F01, instances: 2, start: 2s, duration: 5s }\n'));
  const insts = r.of('F01');
  assert.equal(insts.length, 2, `instances: ${JSON.stringify(r.run.result.attacks?.notInjected)}`);
  const targets = new Set<string>();
  for (const inst of insts) {
    assert.equal(inst.cls, 'fault');
    const st = singleStation(inst);
    targets.add(st);
    const hits = alertsAround(r, inst, st, 'maintenance');
    assert.ok(hits.length > 0, `${inst.id}: no maintenance alert; alerts: ${JSON.stringify(r.alerts.map((a) => [a.category, alertStation(a), (a.evidence as { rule?: string }).rule]))}`);
    assert.ok(hits.some((a) => (a.evidence as { rule?: string }).rule === 'L1.frozen-meter'));
  }
  for (const a of r.alerts) {
    assert.ok(targets.has(alertStation(a) ?? ''), `alert on a healthy station: ${JSON.stringify(a)}`);
    assert.equal(a.category, 'maintenance', `a fault is not an attack: ${JSON.stringify(a.evidence)}`);
  }
});
