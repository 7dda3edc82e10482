import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDetected, runAttack } from './support.js';

const BASE = `
seed: 3
validation: strict
stations: [{ count: 4, behaviour: idle }]
reconnect: { waitMinimum: 300ms, randomRange: 200ms, repeatTimes: 1 }
drainTimeout: 1s
`;

test('A03 duplicate-connection and boot-fingerprint: newcomer closed 1008, forged boot Rejected, impersonation alerts; the station boots again afterwards', async () => {
  const r = await runAttack(`${BASE}
security: { profile: 1, password: correct-horse-battery-staple }
phases: [{ duration: 500ms, target: 4 }, { duration: 6s, target: 4 }]
attacks:
  - { type: A03, name: dup, start: 1s, duration: 2s, rate: 2, params: { mode: duplicate-connection } }
  - { type: A03, name: boot, start: 1s, duration: 2s, params: { mode: boot-fingerprint } }
`, { bootRetryInterval: 1 });
  const insts = assertDetected(r, 'A03', 'impersonation', { n: 2, minReactions: 1 });
  const frames = r.reactions.map((x) => x.frame);
  assert.ok(frames.filter((f) => f === 'duplicate connection').length >= 3);
  assert.ok(frames.filter((f) => f === 'BootNotification').length >= 1);
  const rules = new Set(r.alerts.map((a) => String(a.evidence.rule)));
  assert.ok(rules.has('L0.duplicate-connection') && rules.has('L0.boot-fingerprint'), [...rules].join(','));
  // The rebooted station got back in with its own fingerprint after the instance (forged boots were rejected).
  assert.ok(r.run.counter('boot_rejected') >= 1);
  assert.equal(r.run.counter('boot_accepted'), 5, 'four first boots and the genuine one after the instance');
  assert.ok(insts.every((i) => (i.scope.ips ?? []).includes('127.0.0.1')));
});

test('A03 certificate-cn (profile 3): a CA-issued certificate for another serial is refused with 403 and an impersonation alert', async () => {
  const r = await runAttack(`${BASE}
security: { profile: 3 }
phases: [{ duration: 500ms, target: 4 }, { duration: 3s, target: 4 }]
attacks:
  - { type: A03, start: 1s, duration: 1s, rate: 3, params: { mode: certificate-cn } }
`);
  assertDetected(r, 'A03', 'impersonation', { minReactions: 2, rules: ['L0.certificate-cn-serial'] });
  assert.equal(r.run.counter('boot_accepted'), 4);
});
