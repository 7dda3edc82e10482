import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAttackScenario as runAttacks } from '../support/attack-run.js';

const YAML = `
name: f04-test
seed: 4
stations: [{ count: 4, behaviour: idle }]
phases: [{ duration: 1s, target: 4 }, { duration: 12s, target: 4 }]
drainTimeout: 2s
detection: { warmup: 1s }
csms:
  commands:
    - { at: 2500ms, action: UpdateFirmware, stations: 100%, params: { version: 9.9.9 } }
attacks:
  - { type: F04, instances: 2, stations: 2, start: 2s, duration: 8s }
`;

test('F04 CSMS-commanded firmware update: the L01 flow and a FirmwareUpdate reboot to the new version — the detector stays silent', async () => {
  const r = await runAttacks(YAML);
  const insts = r.of('F04');
  assert.equal(insts.length, 2, `instances: ${JSON.stringify(r.run.result.attacks?.notInjected)}`);
  for (const inst of insts) {
    assert.equal(inst.cls, 'benign');
    assert.equal(inst.scope.stations?.length, 2, `${inst.id} scope: every station the roll-out may reach`);
    // From the command's arrival to Installed: download, install and a reboot take a few seconds.
    assert.ok(inst.tEndMs - inst.tStartMs >= 3000, `${inst.id}: ${inst.tEndMs - inst.tStartMs} ms`);
  }
  // Both targets (and the two other stations the roll-out reached) rebooted into the new firmware.
  assert.ok(r.run.counter('boot_accepted') >= 4 + 2, `boots: ${r.run.counter('boot_accepted')}`);
  assert.deepEqual(r.alerts.map((a) => [a.category, a.entity, (a.evidence as { rule?: string }).rule]), [], 'silent on a commanded update');
});
