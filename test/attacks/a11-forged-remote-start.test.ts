import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsFor, assertOnlyAttackedAlerted, conformance, runAttackScenario } from '../support/attack-run.js';

const MODES = ['unknown-remote-start-id', 'charging-without-authorization', 'no-authorization-token'] as const;
const CATEGORIES = new Set(['forged-remote-start', 'unauthorized-session']);

const YAML = `
name: a11
seed: 11
stations: [{ count: 5, behaviour: idle }]
phases: [{ duration: 1s, target: 5 }, { duration: 5s, target: 5 }]
drainTimeout: 2s
detection: { warmup: 1s }
attacks:
${MODES.map((m) => `  - { type: A11, name: a11-${m}, start: 2s, duration: 3s, rate: 2, params: { mode: ${m} } }`).join('\n')}
`;

test('A11: forged remote starts and unauthorized sessions get idTokenInfo Invalid, a stop request, and an alert', async () => {
  const r = await runAttackScenario(YAML);
  assert.equal(r.instances.length, MODES.length);
  for (const m of MODES) {
    const c = conformance(r, `TransactionEvent(Started, ${m})`);
    assert.ok(c.expected >= 4, `${m}: ${c.expected} frames`);
    assert.equal(c.rate, 1, `${m}: ${JSON.stringify(r.reactions.filter((x) => x.frame?.includes(m)).map((x) => x.observed?.reactions))}`);
  }
  for (const inst of r.instances) {
    assert.equal(inst.scope.stations?.length, 1);
    const mine = alertsFor(r, inst);
    assert.ok(mine.some((a) => CATEGORIES.has(a.category)), `${inst.id}: ${r.alerts.map((a) => a.category).join(', ')}`);
  }
  assert.ok((r.csms.detectorStats()?.actions.stopsRequested ?? 0) >= 12, 'RequestStopTransaction for each forged session');
  assertOnlyAttackedAlerted(r);
});
