import { test } from 'node:test';
import assert from 'node:assert/strict';
import { olderVersion } from '../../src/attacks/frames/a13-firmware-downgrade.js';
import { alertsFor, assertOnlyAttackedAlerted, conformance, runAttackScenario } from '../support/attack-run.js';

const MODES = ['downgrade-boot', 'unsolicited-status', 'invalid-signature'] as const;

const YAML = `
name: a13
seed: 13
stations: [{ count: 5, behaviour: idle }]
phases: [{ duration: 1s, target: 5 }, { duration: 7s, target: 5 }]
drainTimeout: 2s
detection: { warmup: 1s }
attacks:
${MODES.map((m) => `  - { type: A13, name: a13-${m}, start: 2s, duration: 4s, rate: 1, params: { mode: ${m} } }`).join('\n')}
`;

test('olderVersion is below the given version', () => {
  assert.equal(olderVersion('3.1.4-ab12'), '2.9.9');
  assert.equal(olderVersion('0.3.0'), '0.2.9');
  assert.equal(olderVersion('0.0.7'), '0.0.6');
  assert.equal(olderVersion('1'), '0.9.9');
});

test('A13: a downgraded boot is quarantined (Pending), unsolicited and unsigned firmware reports are answered and alerted', async () => {
  const r = await runAttackScenario(YAML);
  assert.equal(r.instances.length, MODES.length);
  const boot = conformance(r, 'BootNotification(FirmwareUpdate, older firmware)');
  assert.ok(boot.expected >= 1);
  assert.equal(boot.rate, 1, JSON.stringify(r.reactions.filter((x) => x.type === 'A13').map((x) => [x.frame, x.observed?.reactions])));
  assert.equal(conformance(r).rate, 1);
  assert.ok(r.reactions.filter((x) => x.frame === 'FirmwareStatusNotification(InvalidSignature)').length >= 3);
  assert.ok(r.reactions.filter((x) => x.frame === 'FirmwareStatusNotification(Installed, unsolicited)').length >= 3);
  for (const inst of r.instances) {
    assert.equal(inst.scope.stations?.length, 1);
    assert.ok(alertsFor(r, inst).some((a) => a.category === 'firmware'), `${inst.id}: ${r.alerts.map((a) => `${a.category}/${String(a.evidence.rule)}`).join(', ')}`);
  }
  assert.ok((r.csms.detectorStats()?.actions.bootsQuarantined ?? 0) >= 1);
  assertOnlyAttackedAlerted(r);
});
