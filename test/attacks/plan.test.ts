import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetIndex, planAttacks } from '../../src/attacks/plan.js';
import { mergeInstances } from '../../src/attacks/recorder.js';
import { parseScenario } from '../../src/scenario/load.js';

const spec = parseScenario(`
seed: 5
stations:
  - { name: ac, count: 30, idTemplate: "AC-{index:03}" }
  - { name: pnc, count: 10, behaviour: plug-and-charge, idTemplate: "PNC-{index:03}" }
phases: [{ duration: 10m, target: 40 }]
attacks:
  - { type: A06, instances: 10, start: 1m, spread: 5m, duration: 10s }
  - { type: A07, instances: 5, start: 1m, spread: 5m }
  - { type: A16, name: named, stations: [PNC-035, AC-002], start: 2m }
`, 't.yaml');

test('the fleet index renders ids and groups by global index, and finds indices by id', () => {
  const f = fleetIndex(spec);
  assert.equal(f.total, 40);
  assert.equal(f.idOf(0), 'AC-000');
  assert.equal(f.idOf(35), 'PNC-035');
  assert.equal(f.groupOf(29).name, 'ac');
  assert.equal(f.groupOf(30).name, 'pnc');
  assert.equal(f.indexOf('PNC-035'), 35);
  assert.equal(f.indexOf('nope'), undefined);
});

test('planning is deterministic, stratifies starts and keeps targets disjoint while the fleet has room', () => {
  const plans = planAttacks(spec, fleetIndex(spec), () => undefined);
  assert.deepEqual(plans, planAttacks(spec, fleetIndex(spec), () => undefined));
  assert.equal(plans.length, 16);
  const a06 = plans.filter((p) => p.entry.type === 'A06');
  a06.forEach((p, i) => {
    assert.equal(p.id, `a06-${i + 1}`);
    // Instance k starts in the k-th 30 s slice of [1m, 6m].
    assert.ok(p.startMs >= 60_000 + i * 30_000 && p.startMs <= 60_000 + (i + 1) * 30_000, `${p.id} at ${p.startMs}`);
    assert.equal(p.endMs - p.startMs, 10_000);
  });
  const drawn = plans.filter((p) => p.entry.targets.kind !== 'ids').flatMap((p) => p.targets);
  assert.equal(drawn.length, 10 + 5 * 2);
  assert.equal(new Set(drawn).size, drawn.length, 'no station drawn twice');
  assert.ok(!drawn.includes(35) && !drawn.includes(2), 'stations named by id are not drawn');
  assert.deepEqual(plans.find((p) => p.id === 'named-1')!.targets, [35, 2]);
  // Another seed, other targets.
  const other = planAttacks({ ...spec, seed: 6 }, fleetIndex(spec), () => undefined);
  assert.notDeepEqual(other.map((p) => p.targets), plans.map((p) => p.targets));
});

test('eligibility restricts the draw (e.g. Plug & Charge stations only); a pool smaller than the demand is reused', () => {
  const plans = planAttacks(spec, fleetIndex(spec), (t) => (t === 'A06' ? (g) => g.behaviour === 'plug-and-charge' : undefined));
  const a06 = plans.filter((p) => p.entry.type === 'A06');
  assert.ok(a06.every((p) => p.targets.every((i) => i >= 30)), 'only pnc stations');
  // PNC-035 is named by another entry, so it is taken: nine free PnC stations, then the pool is reused.
  const first = a06.slice(0, 9).flatMap((p) => p.targets);
  assert.equal(new Set(first).size, 9, 'distinct while they last');
  assert.ok(!first.includes(35), 'a station named by id is not drawn while others are free');
});

test('instance parts recorded in several shards merge by id', () => {
  const merged = mergeInstances([
    { id: 'x-1', type: 'A12', cls: 'attack', scope: { stations: ['B'] }, tStartMs: 2000, tEndMs: 5000, graceMs: 120_000 },
    { id: 'y-1', type: 'A06', cls: 'attack', scope: { tokens: ['t'] }, tStartMs: 1000, tEndMs: 1500, graceMs: 60_000 },
    { id: 'x-1', type: 'A12', cls: 'attack', scope: { stations: ['A', 'B'], fleet: true }, tStartMs: 1500, tEndMs: 4000, graceMs: 120_000,
      expectedReactions: [{ frame: 'f', expect: [{ kind: 'status', value: 'Rejected' }] }] },
  ]);
  assert.deepEqual(merged, [
    { id: 'y-1', type: 'A06', cls: 'attack', scope: { tokens: ['t'] }, tStartMs: 1000, tEndMs: 1500, graceMs: 60_000 },
    { id: 'x-1', type: 'A12', cls: 'attack', scope: { stations: ['A', 'B'], fleet: true }, tStartMs: 1500, tEndMs: 5000, graceMs: 120_000,
      expectedReactions: [{ frame: 'f', expect: [{ kind: 'status', value: 'Rejected' }] }] },
  ]);
});
