import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertMs, alertStation, chargingFleet, runAttackScenario as runAttacks } from '../support/attack-run.js';

test('A12 load-altering: ignoring the profile, oscillation, inflated needs and synchronized switching are detected as load-altering', async () => {
  // 24 stations: 20 switch together (the detector's synchronicity floor), the rest attack alone. Every station
  // gets a 7.4 kW TxDefaultProfile at 1 s (the limit ignore-profile ignores; honest ones obey it).
  const fleet = chargingFleet(24, 11, `csms:
  commands:
    - { at: 1s, action: SetChargingProfile, stations: 100%, params: { limitKw: 7.4, purpose: TxDefaultProfile } }
`);
  const entries = [
    '  - { type: A12, name: ignore, start: 2s, duration: 6s, stations: [CS000000], params: { mode: ignore-profile } }',
    '  - { type: A12, name: osc, start: 2s, duration: 6s, stations: [CS000001], params: { mode: oscillation, period: 2s } }',
    '  - { type: A12, name: needs, start: 2s, duration: 6s, stations: [CS000002], params: { mode: inflated-needs, period: 2s } }',
    '  - { type: A12, name: sync, start: 3s, duration: 6s, stations: 20, params: { mode: synchronized-switching, period: 4s } }',
  ].join('\n');
  // A short run: the detector's grace after a profile (15 s) and its "recently commanded" window (30 s, during
  // which power switching is blamed on our command) and its fleet warm-up (60 s) are shortened to fit; the rules are the same.
  const r = await runAttacks(`${fleet}attacks:\n${entries}\n`, {}, { profileGraceMs: 1500, commandedMs: 1000, warmupMs: 2500 });
  const insts = r.of('A12');
  assert.equal(insts.length, 4, `instances: ${JSON.stringify(r.run.result.attacks?.notInjected)}`);
  const show = JSON.stringify(r.alerts.map((a) => [a.category, a.entity, (a.evidence as { rule?: string }).rule]));
  const scoped = new Set<string>();
  for (const inst of insts) {
    const stations = inst.scope.stations ?? [];
    for (const s of stations) scoped.add(s);
    assert.ok(inst.tEndMs >= inst.tStartMs, `${inst.id} window`);
    const inWindow = (ms: number) => ms >= inst.tStartMs - 2000 && ms <= inst.tEndMs + inst.graceMs + 2000;
    const hits = r.alerts.filter((a) => a.category === 'load-altering' && inWindow(alertMs(a))
      && (inst.id.startsWith('sync') ? a.entity === 'fleet' || stations.includes(alertStation(a) ?? '') : alertStation(a) === stations[0]));
    assert.ok(hits.length > 0, `${inst.id}: no load-altering alert; alerts: ${show}`);
    if (inst.id.startsWith('sync')) {
      assert.equal(stations.length, 20, 'every switching station is in scope');
      assert.equal(inst.scope.fleet, true, 'a fleet-level attack');
    } else {
      assert.equal(stations.length, 1, `${inst.id} scope`);
    }
  }
  const rules = new Set(r.alerts.map((a) => String((a.evidence as { rule?: string }).rule)));
  for (const rule of ['L1.profile-limit', 'L2.power-oscillation', 'L2.fleet-synchronicity']) assert.ok(rules.has(rule), `${rule} missing: ${show}`);
  assert.ok(rules.has('L1.needs-above-battery') || rules.has('L1.needs-soc-mismatch'), show);
  for (const a of r.alerts) {
    assert.ok(a.entity === 'fleet' || scoped.has(alertStation(a) ?? ''), `alert on an honest station: ${JSON.stringify(a)}`);
    assert.equal(a.category, 'load-altering', JSON.stringify(a.evidence));
  }
});
