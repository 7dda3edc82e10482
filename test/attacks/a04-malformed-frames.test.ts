import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUZZ_CASES } from '../../src/scenario/sections/attack-params/frames.js';
import { alertsFor, assertOnlyAttackedAlerted, conformance, runAttackScenario } from '../support/attack-run.js';

const YAML = `
name: a04
seed: 4
stations: [{ count: 4, behaviour: idle }]
phases: [{ duration: 1s, target: 4 }, { duration: 6s, target: 4 }]
drainTimeout: 2s
detection: { warmup: 1s }
attacks:
  - { type: A04, start: 2s, duration: 3s, rate: 10 }
`;

test('A04: every malformed-frame case goes out on the target station socket, gets its exact CALLERROR, and is detected', async () => {
  const r = await runAttackScenario(YAML);
  assert.equal(r.instances.length, 1);
  const inst = r.instances[0]!;
  assert.equal(inst.type, 'A04');
  assert.equal(inst.scope.stations?.length, 1);
  assert.ok(inst.tEndMs - inst.tStartMs >= 2000, 'frames over the whole duration');
  // Each case was sent; those with an expected reaction got exactly it (the ignored types are not answered).
  for (const c of FUZZ_CASES) assert.ok(r.run.counter(`attack_a04_${c.replace(/-/g, '_')}`) >= 2, `${c} sent`);
  const answered = FUZZ_CASES.filter((c) => c !== 'unknown-type' && c !== 'misused-type');
  for (const c of answered) {
    const conf = conformance(r, c);
    assert.ok(conf.expected >= 2, `${c}: ${conf.expected} reactions`);
    assert.equal(conf.rate, 1, `${c}: ${JSON.stringify(r.reactions.filter((x) => x.frame === c).map((x) => x.observed?.reactions))}`);
  }
  assert.equal(r.run.counter('attack_a04_ignored_frame_answered'), 0, 'unknown and misused types are ignored');
  // The CSMS survived it: the station is still connected and nothing was closed.
  assert.equal(r.csms.stats().protocolEvents['garbage-in'] !== undefined, true);
  const mine = alertsFor(r, inst);
  assert.ok(mine.some((a) => a.category === 'malformed'), `alerts: ${r.alerts.map((a) => a.category).join(', ')}`);
  assertOnlyAttackedAlerted(r);
});
