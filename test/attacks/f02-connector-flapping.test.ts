import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsAround, alertStation, runAttackScenario as runAttacks, singleStation } from '../support/attack-run.js';

const YAML = `
name: f02-test
seed: 3
stations: [{ count: 5, behaviour: idle }]
phases: [{ duration: 1s, target: 5 }, { duration: 8s, target: 5 }]
drainTimeout: 2s
detection: { warmup: 1s }
attacks:
  - { type: F02, instances: 2, start: 2s, duration: 5s, params: { period: 500ms } }
`;

test('F02 connector Faulted flapping: StatusNotification Faulted/Available is flagged as maintenance, never as a security category', async () => {
  const r = await runAttacks(YAML);
  const insts = r.of('F02');
  assert.equal(insts.length, 2, `instances: ${JSON.stringify(r.run.result.attacks?.notInjected)}`);
  const targets = new Set<string>();
  for (const inst of insts) {
    assert.equal(inst.cls, 'fault');
    const st = singleStation(inst);
    targets.add(st);
    assert.ok(inst.tEndMs - inst.tStartMs >= 3000, `${inst.id} flaps through its window`);
    const hits = alertsAround(r, inst, st, 'maintenance');
    assert.ok(hits.some((a) => (a.evidence as { rule?: string }).rule === 'L2.connector-faulted-flapping'),
      `${inst.id}: alerts: ${JSON.stringify(r.alerts.map((a) => [a.category, alertStation(a), (a.evidence as { rule?: string }).rule]))}`);
  }
  for (const a of r.alerts) {
    assert.ok(targets.has(alertStation(a) ?? ''), `alert on a healthy station: ${JSON.stringify(a)}`);
    assert.equal(a.category, 'maintenance', `a fault is not an attack: ${JSON.stringify(a.evidence)}`);
  }
});
