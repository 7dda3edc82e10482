import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandSchedule, selectStations } from '../../src/csms/schedule.js';
import { fnv1a } from '../../src/csms/state.js';
import type { CsmsCommandSpec } from '../../src/scenario/spec.js';

const cmd = (at: number, every: number): CsmsCommandSpec => ({ at, every, action: 'GetVariables', fraction: 1, params: {} });

test('commands fire at `at`, then every `every`; missed periods are skipped, not bunched', () => {
  const s = new CommandSchedule([cmd(1000, 0), cmd(500, 1000)]);
  assert.deepEqual(s.due(10_000), []);
  s.start(0);
  assert.deepEqual(s.due(499), []);
  assert.deepEqual(s.due(500).map((f) => [f.index, f.fireNo]), [[1, 0]]);
  assert.deepEqual(s.due(1000).map((f) => [f.index, f.fireNo]), [[0, 0]]);
  assert.deepEqual(s.due(1500).map((f) => [f.index, f.fireNo]), [[1, 1]]);
  assert.deepEqual(s.due(5700).map((f) => [f.index, f.fireNo]), [[1, 2]]);
  assert.deepEqual(s.due(5999), []);
  assert.deepEqual(s.due(6500).map((f) => [f.index, f.fireNo]), [[1, 3]]);
});

test('station selection: exact count, deterministic, independent of connection order, varies per firing', () => {
  const stations = Array.from({ length: 1000 }, (_, i) => ({ state: { hash: fnv1a(`CS${i}`) }, id: `CS${i}` }));
  const a = selectStations(stations, 0.1, 1, 0, 0).map((x) => x.id).sort();
  assert.equal(a.length, 100);
  const reversed = selectStations([...stations].reverse(), 0.1, 1, 0, 0).map((x) => x.id).sort();
  assert.deepEqual(reversed, a);
  const next = selectStations(stations, 0.1, 1, 0, 1).map((x) => x.id).sort();
  assert.notDeepEqual(next, a);
  const otherSeed = selectStations(stations, 0.1, 2, 0, 0).map((x) => x.id).sort();
  assert.notDeepEqual(otherSeed, a);
  assert.equal(selectStations(stations, 1, 1, 0, 0).length, 1000);
  assert.equal(selectStations(stations.slice(0, 3), 0.01, 1, 0, 0).length, 1);
  assert.equal(selectStations([], 0.5, 1, 0, 0).length, 0);
  assert.equal(new Set(a).size, 100);
});
