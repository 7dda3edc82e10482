import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsFor, assertOnlyAttackedAlerted, conformance, runAttackScenario } from '../support/attack-run.js';

// Critical events (one is enough), non-critical ones in bursts (by count), and a mixed rotation.
const VARIANTS = {
  tamper: '{ events: [TamperDetectionActivated] }',
  'log-cleared': '{ events: [SecurityLogWasCleared] }',
  'rogue-csms': '{ events: [CsmsFailedToAuthenticate, InvalidCsmsCertificate] }',
  'login-burst': '{ events: MaintenanceLoginFailed, burst: 3 }',
  mixed: '{ events: [SettingSystemTime, AttemptedReplayAttacks, InvalidMessages], burst: 2 }',
} as const;

const YAML = `
name: a16
seed: 16
stations: [{ count: 7, behaviour: idle }]
phases: [{ duration: 1s, target: 7 }, { duration: 6s, target: 7 }]
drainTimeout: 2s
detection: { warmup: 1s }
attacks:
${Object.entries(VARIANTS).map(([k, p]) => `  - { type: A16, name: a16-${k}, start: 2s, duration: 3s, rate: 1, params: ${p} }`).join('\n')}
`;

test('A16: station-reported security events are answered and each reporting station is alerted', async () => {
  const r = await runAttackScenario(YAML);
  assert.equal(r.instances.length, Object.keys(VARIANTS).length);
  const c = conformance(r);
  assert.ok(c.expected >= 5 * 3, `${c.expected} events`);
  assert.equal(c.rate, 1);
  for (const inst of r.instances) {
    assert.equal(inst.scope.stations?.length, 1);
    assert.ok(alertsFor(r, inst).some((a) => a.category === 'security-event'), `${inst.id}: ${r.alerts.map((a) => `${a.category}/${String(a.evidence.rule)}`).join(', ')}`);
  }
  assertOnlyAttackedAlerted(r);
});
