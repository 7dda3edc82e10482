import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attackProblems } from '../../src/attacks/index.js';
import { scenario } from '../support/fleet.js';
import { assertDetected, runAttack } from './support.js';

const BASE = `
seed: 2
validation: strict
stations: [{ count: 4, behaviour: idle }]
phases: [{ duration: 500ms, target: 4 }, { duration: 3s, target: 4 }]
drainTimeout: 1s
`;

test('A02 bad-certificate (profile 3): certificates of an untrusted CA get 403 each and a credential-brute-force alert', async () => {
  const r = await runAttack(`${BASE}
security: { profile: 3 }
attacks:
  - { type: A02, start: 1s, duration: 1500ms, rate: 6, params: { mode: bad-certificate } }
`);
  const [inst] = assertDetected(r, 'A02', 'credential-brute-force', { minReactions: 6 });
  assert.ok(r.reactions.every((x) => x.observed?.reactions[0]?.value === 403));
  // A foreign CA's certificate is a failed login, not a certificate problem of the station: no `certificate` alert.
  assert.ok(r.alerts.every((a) => a.category === 'credential-brute-force'), r.alerts.map((a) => a.category).join(','));
  assert.deepEqual(inst!.scope.ips, ['127.0.0.1']);
  assert.equal(r.run.counter('boot_accepted'), 4, 'the real stations are not locked out');
});

test('certificate modes (A02 bad-certificate, A03 certificate-cn) are scenario problems below profile 3', () => {
  const spec = scenario(`${BASE}security: { profile: 2, password: correct-horse-battery-staple }
attacks:
  - { type: A02, start: 1s, duration: 1s, params: { mode: bad-certificate } }
  - { type: A03, start: 1s, duration: 1s, params: { mode: certificate-cn } }
`);
  const msgs = attackProblems(spec).map((p) => `${p.path}: ${p.message}`);
  assert.equal(msgs.length, 2);
  assert.match(msgs[0]!, /attacks\[0\].*needs security profile 3/);
  assert.match(msgs[1]!, /attacks\[1\].*needs security profile 3/);
});
