// attacks: and detection: (src/scenario/sections/attacks.ts, detection.ts, attack-params/): defaults per type,
// per-type params, and every problem at once with its YAML path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/load.js';
import { problemAt, problemsOf } from './helpers.js';

const FLEET = `
stations: [{ count: 10, idTemplate: "CS-{index:03}" }]
phases: [{ duration: 5m, target: 10 }]
`;

test('an attack entry gets its type\'s defaults and params; detection defaults come with attacks', () => {
  const spec = parseScenario(`${FLEET}attacks: [{ type: A06, start: 1m }]\n`, 't.yaml');
  assert.equal(spec.attacks.length, 1);
  const a = spec.attacks[0]!;
  assert.deepEqual({ ...a, params: { ...a.params } }, {
    name: 'a06', type: 'A06', instances: 1, targets: { kind: 'count', n: 1 }, start: 60_000, spread: 0, duration: 30_000, rate: 5,
    params: { tokenType: 'ISO14443', uidBytes: 4, sequential: false, via: 'Authorize' },
  });
  assert.equal(spec.detection?.warmup, 0);
  assert.equal(spec.detection?.strict, true);
  assert.equal(parseScenario(FLEET, 't.yaml').detection, undefined);
  assert.deepEqual(parseScenario(FLEET, 't.yaml').attacks, []);
});

test('targets: a count, a share of the fleet, or station ids', () => {
  const spec = parseScenario(`${FLEET}attacks:
  - { type: A07, name: clone, start: 10s }
  - { type: A12, name: sync, stations: "30%", start: 10s, params: { mode: synchronized-switching, period: 20s } }
  - { type: A06, name: named, stations: [CS-001, CS-004], start: 10s, rate: 0.5, duration: 2m, instances: 3, spread: 1m }
`, 't.yaml');
  assert.deepEqual(spec.attacks.map((a) => a.targets), [
    { kind: 'count', n: 2 }, { kind: 'percent', pct: 30 }, { kind: 'ids', ids: ['CS-001', 'CS-004'] },
  ]);
  assert.deepEqual(spec.attacks[1]!.params, { mode: 'synchronized-switching', period: 20_000, needsKwh: 300 });
  assert.equal(spec.attacks[2]!.rate, 0.5);
});

test('every problem of attacks: and detection: is reported at once, with its path', () => {
  const problems = problemsOf(`${FLEET}detection: { warmup: 1m, delta: soon, alerts: { listen: 70000, poll: ftp://x, mapping: { station: labels.sid, colour: x } }, categories: { A99: [x] } }
attacks:
  - { type: A6 }
  - { type: A06, start: 2m, params: { tokenType: RFID, guesses: 3 } }
  - { type: A06, start: 2m }
  - { type: A16, name: a06, start: 2m }
  - { type: A01, name: many, start: 2m, instances: 0, stations: "0%", rate: 0 }
`);
  assert.match(problemAt(problems, 'attacks[0].type').message, /did you mean 'A06'/);
  assert.match(problemAt(problems, 'attacks[1].params.tokenType').message, /RFID/);
  assert.match(problemAt(problems, 'attacks[1].params.guesses').message, /guesses/);
  assert.match(problemAt(problems, 'attacks[3].name').message, /already used by attacks\[2\]/);
  problemAt(problems, 'attacks[4].instances');
  problemAt(problems, 'attacks[4].stations');
  problemAt(problems, 'attacks[4].rate');
  problemAt(problems, 'detection.delta');
  problemAt(problems, 'detection.alerts.listen');
  problemAt(problems, 'detection.alerts.poll');
  problemAt(problems, 'detection.alerts.mapping.colour');
  problemAt(problems, 'detection.categories.A99');
});

test('attacks must start after the warm-up, end within the run and name existing stations', () => {
  const problems = problemsOf(`${FLEET}detection: { warmup: 1m }
attacks:
  - { type: A06, start: 30s }
  - { type: A02, start: 4m, duration: 2m }
  - { type: A16, start: 2m, spread: 3m }
  - { type: A06, name: ids, start: 2m, stations: [CS-001, CS-999] }
`);
  assert.equal(problems.length, 4);
  assert.match(problemAt(problems, 'attacks[0].start').message, /warm-up/);
  assert.match(problemAt(problems, 'attacks[1].duration').message, /after the run ends/);
  assert.match(problemAt(problems, 'attacks[2].spread').message, /after the run ends/);
  assert.match(problemAt(problems, 'attacks[3].stations[1]').message, /no station "CS-999"/);
});

test('detection: values are read in spec units', () => {
  const spec = parseScenario(`${FLEET}detection:
  warmup: 1m
  delta: 500ms
  strict: false
  tail: 45s
  fleetMinStations: 5
  groundTruth: out/gt.jsonl
  maintenance: [maintenance, hw-fault]
  categories: { A06: [token-enumeration] }
  alerts: { listen: 0, file: alerts.jsonl, poll: "http://127.0.0.1:9/alerts", pollInterval: 2s, mapping: { station: labels.station, category: [labels.alertname, kind] } }
`, 't.yaml');
  const d = spec.detection!;
  assert.equal(d.warmup, 60_000);
  assert.equal(d.delta, 500);
  assert.equal(d.strict, false);
  assert.equal(d.tail, 45_000);
  assert.equal(d.fleetMinStations, 5);
  assert.equal(d.groundTruth, 'out/gt.jsonl');
  assert.deepEqual(d.maintenance, ['maintenance', 'hw-fault']);
  assert.deepEqual(d.categories, { A06: ['token-enumeration'] });
  assert.deepEqual({ ...d.alerts, mapping: { ...d.alerts.mapping } }, {
    listen: 0, file: 'alerts.jsonl', poll: 'http://127.0.0.1:9/alerts', pollInterval: 2000,
    mapping: { station: 'labels.station', category: ['labels.alertname', 'kind'] },
  });
});

test('--duration scales the attack timeline and the warm-up with the phases, so a shortened attack scenario still runs', () => {
  const text = `${FLEET}detection: { warmup: 1m }\nattacks: [{ type: A06, instances: 4, start: 1m, spread: 3m, duration: 40s }]\n`;
  const spec = parseScenario(text, 't.yaml', { duration: 60_000 });
  assert.equal(spec.duration, 60_000);
  const a = spec.attacks[0]!;
  assert.deepEqual([a.start, a.spread, a.duration], [12_000, 36_000, 8_000]);
  assert.equal(spec.detection?.warmup, 12_000);
  // Without the override nothing moves.
  const plain = parseScenario(text, 't.yaml');
  assert.deepEqual([plain.attacks[0]!.start, plain.attacks[0]!.duration, plain.detection?.warmup], [60_000, 40_000, 60_000]);
});
