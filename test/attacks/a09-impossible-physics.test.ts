import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsAround, alertStation, chargingFleet, runAttackScenario as runAttacks, singleStation } from '../support/attack-run.js';

const MODES = ['power-above-rating', 'energy-above-power', 'voltage-current-mismatch', 'soc-jump'] as const;
const RULE: Readonly<Record<(typeof MODES)[number], readonly string[]>> = {
  'power-above-rating': ['L1.power-rating', 'L1.energy-rating'],
  'energy-above-power': ['L1.energy-above-power', 'L1.energy-rating'],
  'voltage-current-mismatch': ['L1.power-vi'],
  'soc-jump': ['L1.soc-jump', 'L1.soc-range'],
};

test('A09 impossible physics: every mode reports what the EVSE cannot measure and is detected as impossible-physics', async () => {
  // DC EVSEs report SoC (soc-jump needs it); the others run on the default AC model.
  const fleet = chargingFleet(6, 10, '').replace('stations: [{ count: 6 }]', 'stations: [{ count: 5, idTemplate: "CS{index:06}" }, { count: 1, idTemplate: DC-1, evse: { type: DC, maxKw: 50, connectors: [cCCS2] } }]');
  const entries = MODES.map((mode, i) => `  - { type: A09, name: ${mode}, start: 2s, duration: 5s, params: { mode: ${mode} }, stations: [${mode === 'soc-jump' ? 'DC-1' : `CS00000${i}`}] }`).join('\n');
  // soc-jump also on an AC EVSE, whose meter reports no SoC: the lie adds one.
  const acSoc = '  - { type: A09, name: soc-jump-ac, start: 2s, duration: 5s, params: { mode: soc-jump }, stations: [CS000004] }';
  const r = await runAttacks(`${fleet}attacks:\n${entries}\n${acSoc}\n`);
  assert.equal(r.of('A09').length, MODES.length + 1, `instances: ${JSON.stringify(r.run.result.attacks?.notInjected)}`);
  const targets = new Set<string>();
  for (const inst of r.of('A09')) {
    const mode = MODES.find((m) => inst.id.startsWith(m));
    const st = singleStation(inst);
    targets.add(st);
    assert.ok(inst.tEndMs >= inst.tStartMs && inst.tStartMs >= r.run.result.startedMs + 2000 - 5, `${inst.id} window`);
    const hits = alertsAround(r, inst, st, 'impossible-physics');
    assert.ok(hits.length > 0, `${inst.id}: no impossible-physics alert; alerts: ${JSON.stringify(r.alerts.map((a) => [a.category, alertStation(a), (a.evidence as { rule?: string }).rule]))}`);
    if (mode) assert.ok(hits.some((a) => RULE[mode].includes(String((a.evidence as { rule?: string }).rule))), `${inst.id}: rules ${hits.map((a) => (a.evidence as { rule?: string }).rule).join(', ')}`);
  }
  for (const a of r.alerts) {
    assert.ok(targets.has(alertStation(a) ?? ''), `alert on an honest station: ${JSON.stringify(a)}`);
  }
});
