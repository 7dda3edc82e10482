import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDetected, runAttack } from './support.js';

test('A05: CALLs from an identity that never booted get SecurityError each, and a state-abuse alert', async () => {
  const r = await runAttack(`
name: a05
seed: 5
security: { profile: 1, password: correct-horse-battery-staple }
validation: strict
stations: [{ count: 4, behaviour: idle }]
phases: [{ duration: 500ms, target: 4 }, { duration: 4s, target: 4 }]
drainTimeout: 1s
attacks:
  - { type: A05, start: 1s, duration: 2s, rate: 5, params: { actions: [TransactionEvent, MeterValues, Authorize, StatusNotification] } }
`);
  const [inst] = assertDetected(r, 'A05', 'state-abuse', { minReactions: 8, rules: ['L0.calls-before-boot'] });
  const frames = new Set(r.reactions.map((x) => x.frame));
  for (const a of ['TransactionEvent', 'MeterValues', 'Authorize', 'StatusNotification']) assert.ok(frames.has(`${a} before boot`), a);
  // The rogue identity and the target station are named; nothing of it was kept as a transaction.
  assert.equal(inst!.scope.stations!.length, 2);
  assert.equal(r.csms.stats().transactions?.started ?? 0, 0);
});
