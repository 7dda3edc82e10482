import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planSize, planStations, type PlannedStation } from '../../src/fleet/plan.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { ScenarioSpec } from '../../src/scenario/spec.js';

const spec = (yaml: string): ScenarioSpec => parseScenario(yaml, 'plan.yaml');

const ONE_GROUP = spec('stations: [{ count: 7 }]');
const THREE_GROUPS = spec(`
stations:
  - { name: ac, count: 5, idTemplate: "AC-{index:03}" }
  - { name: dc, count: 3, idTemplate: "DC-{index:03}" }
  - { name: spare, count: 4 }
`);

const view = (p: readonly PlannedStation[]): [number, string, string][] => p.map((s) => [s.index, s.id, s.group.name]);

describe('planStations', () => {
  test('one group: indices 0..n-1 in order, default ids CS{index:06}', () => {
    assert.deepEqual(view(planStations(ONE_GROUP)), [0, 1, 2, 3, 4, 5, 6].map((i) => [i, `CS${String(i).padStart(6, '0')}`, 'group1']));
  });

  test('several groups: global indices continue over the groups in file order; ids use the global index', () => {
    assert.deepEqual(view(planStations(THREE_GROUPS)), [
      [0, 'AC-000', 'ac'], [1, 'AC-001', 'ac'], [2, 'AC-002', 'ac'], [3, 'AC-003', 'ac'], [4, 'AC-004', 'ac'],
      [5, 'DC-005', 'dc'], [6, 'DC-006', 'dc'], [7, 'DC-007', 'dc'],
      // The default template has the group name when there are several groups.
      [8, 'spare-CS000008', 'spare'], [9, 'spare-CS000009', 'spare'], [10, 'spare-CS000010', 'spare'], [11, 'spare-CS000011', 'spare'],
    ]);
  });

  test('each station carries its own group spec (the object, not a copy)', () => {
    for (const s of planStations(THREE_GROUPS)) assert.equal(s.group, THREE_GROUPS.groups.find((g) => g.name === s.group.name));
  });

  test('the default shard is the whole plan', () => {
    assert.deepEqual(planStations(THREE_GROUPS, { index: 0, count: 1 }), planStations(THREE_GROUPS));
  });

  for (const s of [ONE_GROUP, THREE_GROUPS]) {
    const whole = planStations(s);
    for (let n = 1; n <= 5; n++) {
      test(`${s.groups.length} group(s), ${n} shard(s): disjoint, union = the whole plan, each station identical to the whole plan's`, () => {
        const shards = Array.from({ length: n }, (_, i) => planStations(s, { index: i, count: n }));
        const seen = new Map<number, PlannedStation>();
        shards.forEach((shard, i) => {
          for (const st of shard) {
            assert.equal(st.index % n, i, `station ${st.index} in shard ${i}/${n}`);
            assert.ok(!seen.has(st.index), `station ${st.index} in two shards`);
            seen.set(st.index, st);
          }
          // Within a shard the order is the plan's order (ramps start stations in it).
          assert.deepEqual(shard.map((x) => x.index), [...shard.map((x) => x.index)].sort((a, b) => a - b));
        });
        assert.equal(seen.size, whole.length);
        for (const w of whole) assert.deepEqual(seen.get(w.index), w);
        // Balanced: shard sizes differ by at most one.
        const sizes = shards.map((x) => x.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join(',')}`);
      });
    }
  }

  test('planSize is the length of the shard\'s plan, without building it', () => {
    for (const s of [ONE_GROUP, THREE_GROUPS, spec('stations: [{ count: 3 }]')]) {
      for (let n = 1; n <= 5; n++) {
        for (let i = 0; i < n; i++) assert.equal(planSize(s, { index: i, count: n }), planStations(s, { index: i, count: n }).length, `shard ${i}/${n}`);
      }
      assert.equal(planSize(s), planStations(s).length);
    }
  });

  test('more shards than stations: the extra shards are empty, the rest is still exact', () => {
    const small = spec('stations: [{ count: 3 }]');
    const shards = Array.from({ length: 5 }, (_, i) => planStations(small, { index: i, count: 5 }));
    assert.deepEqual(shards.map((x) => x.map((st) => st.index)), [[0], [1], [2], [], []]);
  });

  test('every shard gets a mix of every group (proportional, ±1 station per group)', () => {
    const big = spec(`
stations:
  - { name: a, count: 50 }
  - { name: b, count: 30 }
  - { name: c, count: 20 }
`);
    for (let n = 2; n <= 5; n++) {
      for (let i = 0; i < n; i++) {
        const shard = planStations(big, { index: i, count: n });
        for (const g of big.groups) {
          const mine = shard.filter((st) => st.group.name === g.name).length;
          assert.ok(Math.abs(mine - g.count / n) <= 1, `shard ${i}/${n} has ${mine} of ${g.name} (${g.count})`);
        }
      }
    }
  });

  test('the plan follows --stations overrides (ids re-derived for the new total)', () => {
    const scaled = parseScenario('stations: [{ name: a, count: 50 }, { name: b, count: 30 }]', 'plan.yaml', { stations: 8 });
    assert.deepEqual(view(planStations(scaled)), [
      [0, 'a-CS000000', 'a'], [1, 'a-CS000001', 'a'], [2, 'a-CS000002', 'a'], [3, 'a-CS000003', 'a'], [4, 'a-CS000004', 'a'],
      [5, 'b-CS000005', 'b'], [6, 'b-CS000006', 'b'], [7, 'b-CS000007', 'b'],
    ]);
  });
});
