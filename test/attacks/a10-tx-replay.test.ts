import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsFor, assertOnlyAttackedAlerted, conformance, runAttackScenario } from '../support/attack-run.js';

const MODES = ['replay', 'seqno-regression', 'ended-twice', 'started-after-ended', 'stale-online'] as const;

const YAML = `
name: a10
seed: 10
stations: [{ count: 8, behaviour: charging, evses: 1 }]
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: { fixed: 200ms }
  plugDuration: { uniform: [2s, 3s] }
  meterInterval: 1s
phases: [{ duration: 1s, target: 8 }, { duration: 10s, target: 8 }]
drainTimeout: 3s
detection: { warmup: 1s }
attacks:
${MODES.map((m) => `  - { type: A10, name: a10-${m}, start: 1s, duration: 8s, rate: 1, params: { mode: ${m} } }`).join('\n')}
`;

test('A10: captured TransactionEvents replayed and reordered in every mode are answered normally and detected as replay', async () => {
  const r = await runAttackScenario(YAML);
  assert.equal(r.run.counter('attack_a10_nothing_captured'), 0);
  assert.equal(r.instances.length, MODES.length);
  for (const [k, inst] of r.instances.entries()) {
    assert.equal(inst.type, 'A10');
    assert.equal(inst.scope.stations?.length, 1, inst.id);
    const mine = alertsFor(r, inst);
    assert.ok(mine.some((a) => a.category === 'replay'), `${inst.id}: ${JSON.stringify(r.alerts.map((a) => [a.category, a.evidence.rule]))} ${k}`);
  }
  for (const m of MODES.filter((x) => x !== 'stale-online')) assert.ok(r.reactions.some((x) => x.frame === `TransactionEvent(${m})`), m);
  assert.ok(r.reactions.some((x) => x.frame === 'TransactionEvent(stale Started)'));
  // Answered normally (no CALLERROR): the replays are idempotent for the CSMS, not refused.
  assert.equal(conformance(r).rate, 1);
  assertOnlyAttackedAlerted(r);
  // No double counting: every transaction the fleet started ended once at the CSMS.
  const tx = r.csms.stats().transactions;
  assert.ok(tx.ended <= tx.started, JSON.stringify(tx));
});
