import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGroundTruth, groundTruthLine, parseGroundTruth } from '../../src/detection/ground-truth.js';
import type { AttackInstance, ReactionRecord, RunInfo } from '../../src/detection/types.js';
import { inst, s, T0 } from './helpers.js';

test('ground truth round-trips through JSON Lines', () => {
  const run: RunInfo = { id: 'r1', seed: 7, startMs: T0, endMs: T0 + 3_600_000, stations: 100, scoreFromMs: T0 + 60_000, deltaMs: 1500 };
  const instances: AttackInstance[] = [
    { ...inst('a06-1', 'A06', { stations: ['CS-1'] }, 100, 160), expectedReactions: [{ frame: 'Authorize', expect: [{ kind: 'status', value: ['Invalid', 'Unknown'] }] }] },
    inst('a12-1', 'A12', { fleet: true }, 200, 300),
    inst('f01-1', 'F01', { stations: ['CS-9'] }, 0, 50),
  ];
  const reactions: ReactionRecord[] = [
    { instanceId: 'a06-1', frame: 'Authorize', sentMs: s(101), expected: [{ kind: 'status', value: 'Invalid' }], observed: { atMs: s(101) + 12, reactions: [{ kind: 'status', value: 'Unknown' }] } },
    { instanceId: 'a06-1', sentMs: s(102), expected: [{ kind: 'status', value: 'Invalid' }], observed: null, maxLatencyMs: 1000 },
  ];
  const text = formatGroundTruth({ run, instances, reactions });
  assert.equal(text.split('\n').length, 7);
  const back = parseGroundTruth(text);
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.run, run);
  assert.deepEqual(back.instances, instances);
  assert.deepEqual(back.reactions, reactions);
});

test('defaults: class and grace by type, instance kind when absent, ISO times, t_e = t_s when absent', () => {
  const text = [
    '{"id":"x","type":"A07","scope":{"tokens":["04A1"]},"tStart":"2026-01-01T12:00:00Z","tEnd":"2026-01-01T12:00:05Z"}',
    '{"kind":"instance","id":"y","type":"F03","scope":{"stations":["CS-2"]},"tStartMs":1767268800000}',
    '',
  ].join('\n');
  const gt = parseGroundTruth(text);
  assert.deepEqual(gt.problems, []);
  const [x, y] = gt.instances;
  assert.deepEqual([x!.cls, x!.graceMs, x!.tStartMs, x!.tEndMs], ['attack', 120_000, T0, T0 + 5000]);
  assert.deepEqual([y!.cls, y!.graceMs, y!.tEndMs], ['benign', 60_000, T0]);
});

test('a later record for the same id replaces the earlier one, in its place', () => {
  const open = groundTruthLine({ kind: 'instance', ...inst('a', 'A01', { stations: ['CS-1'] }, 0, 0) });
  const other = groundTruthLine({ kind: 'instance', ...inst('b', 'A01', { stations: ['CS-2'] }, 0, 0) });
  const done = groundTruthLine({ kind: 'instance', ...inst('a', 'A01', { stations: ['CS-1'] }, 0, 90) });
  const gt = parseGroundTruth(open + other + done);
  assert.deepEqual(gt.instances.map((i) => [i.id, i.tEndMs - i.tStartMs]), [['a', 90_000], ['b', 0]]);
});

test('every bad line is reported with its line and path; good lines still load', () => {
  const text = [
    '{"id":"ok","type":"A01","scope":{"ips":["10.0.0.1"]},"tStartMs":1767268800000}',
    'not json',
    '{"id":"bad","type":"A99","scope":{},"tStartMs":"soon","graceMs":-1}',
    '{"kind":"reaction","sentMs":1,"expected":[{"kind":"teapot","value":418}]}',
    '{"kind":"weather"}',
    '{"id":"late","type":"A01","scope":{"fleet":true},"tStartMs":1767268800000,"tEndMs":1767268700000}',
  ].join('\n');
  const gt = parseGroundTruth(text, { file: 'gt.jsonl' });
  assert.deepEqual(gt.instances.map((i) => i.id), ['ok']);
  const where = gt.problems.map((p) => `${p.line}:${p.path}`);
  assert.deepEqual(where, [
    '2:', '3:type', '3:scope', '3:tStartMs', '3:graceMs', '4:instanceId', '4:expected[0]', '5:kind', '6:tEndMs',
  ]);
  assert.ok(gt.problems.every((p) => p.file === 'gt.jsonl'));
});

test('a last line still being written can be ignored', () => {
  const text = `${groundTruthLine({ kind: 'instance', ...inst('a', 'A01', { stations: ['CS-1'] }, 0, 1) })}{"id":"b","ty`;
  assert.equal(parseGroundTruth(text).problems.length, 1);
  const gt = parseGroundTruth(text, { partialLastLine: 'ignore' });
  assert.deepEqual([gt.problems.length, gt.instances.length], [0, 1]);
});
