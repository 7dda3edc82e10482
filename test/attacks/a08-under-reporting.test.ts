import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsAround, alertStation, chargingFleet, runAttackScenario as runAttacks, singleStation } from '../support/attack-run.js';

const MODES = ['scale', 'freeze', 'decrease', 'end-below-begin'] as const;

test('A08 under-reporting: every mode lies about the register of a charging target and is detected as under-reporting', async () => {
  const entries = MODES.map((mode) => `  - { type: A08, name: ${mode}, start: 2s, duration: 5s, params: { mode: ${mode} } }`).join('\n');
  const r = await runAttacks(chargingFleet(6, 10, `attacks:\n${entries}\n`));
  assert.equal(r.of('A08').length, MODES.length, `instances: ${JSON.stringify(r.run.result.attacks?.notInjected)}`);
  const targets = new Set<string>();
  for (const inst of r.of('A08')) {
    const st = singleStation(inst);
    targets.add(st);
    assert.ok(inst.tEndMs >= inst.tStartMs && inst.tStartMs >= r.run.result.startedMs + 2000 - 5, `${inst.id} window`);
    assert.equal(inst.graceMs, 1000, 'grace = one meter interval');
    const hits = alertsAround(r, inst, st, 'under-reporting');
    assert.ok(hits.length > 0, `${inst.id}: no under-reporting alert; alerts: ${JSON.stringify(r.alerts.map((a) => [a.category, alertStation(a), (a.evidence as { rule?: string })?.rule]))}`);
  }
  // Nothing about the honest stations, and nothing but under-reporting about the attacked ones.
  for (const a of r.alerts) {
    assert.ok(targets.has(alertStation(a) ?? ''), `alert on an honest station: ${JSON.stringify(a)}`);
    assert.equal(a.category, 'under-reporting', JSON.stringify(a.evidence));
  }
});
