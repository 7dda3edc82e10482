import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsFor, assertOnlyAttackedAlerted, conformance, runAttackScenario } from '../support/attack-run.js';

// Every way A06 guesses: random and consecutive UIDs (4 and 7 bytes), eMAIDs, keypad codes, and by TransactionEvent.
const VARIANTS = {
  random: '{ tokenType: ISO14443 }',
  sequential: '{ tokenType: ISO14443, uidBytes: 7, sequential: true }',
  emaid: '{ tokenType: eMAID }',
  keycode: '{ tokenType: KeyCode }',
  'via-tx': '{ via: TransactionEvent }',
} as const;

const YAML = `
name: a06
seed: 6
stations: [{ count: 7, behaviour: idle }]
phases: [{ duration: 1s, target: 7 }, { duration: 6s, target: 7 }]
drainTimeout: 2s
detection: { warmup: 1s }
attacks:
${Object.entries(VARIANTS).map(([k, p]) => `  - { type: A06, name: a06-${k}, start: 2s, duration: 3s, rate: 5, params: ${p} }`).join('\n')}
`;

test('A06: guessed tokens of every kind are refused Unknown/Invalid and each guessing station is alerted', async () => {
  const r = await runAttackScenario(YAML);
  assert.equal(r.instances.length, Object.keys(VARIANTS).length);
  const c = conformance(r);
  assert.ok(c.expected >= 5 * 12, `${c.expected} guesses`);
  assert.equal(c.rate, 1, JSON.stringify(r.reactions.filter((x) => x.observed?.reactions.every((y) => y.value !== 'Unknown')).slice(0, 2)));
  assert.ok(conformance(r, 'TransactionEvent(Started)').expected >= 12);
  for (const inst of r.instances) {
    assert.equal(inst.scope.stations?.length, 1);
    assert.ok((inst.scope.tokens?.length ?? 0) >= 12, `${inst.id}: every guessed token is in scope`);
    assert.ok(alertsFor(r, inst).some((a) => a.category === 'token-brute-force'), `${inst.id}: ${r.alerts.map((a) => `${a.category}/${String(a.evidence.rule)}`).join(', ')}`);
  }
  assertOnlyAttackedAlerted(r);
});
