import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDetected, runAttack } from './support.js';
import { scenario } from '../support/fleet.js';
import { attackProblems } from '../../src/attacks/index.js';

const BASE = `
seed: 14
validation: strict
stations: [{ count: 4, behaviour: idle }]
phases: [{ duration: 500ms, target: 4 }, { duration: 2500ms, target: 4 }]
drainTimeout: 1s
`;

test('A14 no-credentials and legacy-subprotocol (profile 1): 401, no subprotocol, profile-downgrade alerts', async () => {
  const r = await runAttack(`${BASE}
security: { profile: 1, password: correct-horse-battery-staple }
attacks:
  - { type: A14, name: nocreds, start: 1s, duration: 1s, rate: 3, params: { mode: no-credentials } }
  - { type: A14, name: legacy, start: 1s, duration: 1s, rate: 3, params: { mode: legacy-subprotocol } }
`);
  assertDetected(r, 'A14', 'profile-downgrade', { n: 2, minReactions: 2 });
  const seen = new Set(r.reactions.map((x) => `${x.observed?.reactions[0]?.kind}:${x.observed?.reactions[0]?.value}`));
  assert.deepEqual([...seen].sort(), ['handshake:no-subprotocol', 'http:401']);
  const rules = new Set(r.alerts.map((a) => String(a.evidence.rule)));
  assert.ok(rules.has('L0.missing-credentials') && rules.has('L0.legacy-subprotocol-only'), [...rules].join(','));
});

test('A14 cleartext and tls1.1 (profile 2): the TLS endpoint refuses both, alerts name the source IP', async () => {
  const r = await runAttack(`${BASE}
security: { profile: 2, password: correct-horse-battery-staple }
attacks:
  - { type: A14, name: plain, start: 1s, duration: 1s, rate: 3, params: { mode: cleartext } }
  - { type: A14, name: old, start: 1s, duration: 1s, rate: 3, params: { mode: tls1.1 } }
`);
  assertDetected(r, 'A14', 'profile-downgrade', { n: 2, minReactions: 2 });
  const byFrame = new Map(r.reactions.map((x) => [x.frame, x.observed?.reactions[0]?.value]));
  assert.equal(byFrame.get('TLS 1.1 handshake'), 'tls-refused');
  assert.equal(byFrame.get('ws:// upgrade to the TLS endpoint'), 'closed');
  const rules = new Set(r.alerts.map((a) => String(a.evidence.rule)));
  // Both rules name only the IP (no identity before TLS): the second folds into the first's incident.
  assert.ok(rules.has('L0.cleartext') || rules.has('L0.tls-version'), [...rules].join(','));
  assert.ok(r.csms.detectorStats()!.alerts.suppressed >= 1);
  assert.equal(r.run.counter('boot_accepted'), 4);
});

test('A14 no-credentials under profile 3 is an upgrade without a client certificate: 403', async () => {
  const r = await runAttack(`${BASE}
security: { profile: 3 }
attacks:
  - { type: A14, start: 1s, duration: 1s, rate: 3, params: { mode: no-credentials } }
`);
  assertDetected(r, 'A14', 'profile-downgrade', { minReactions: 2, rules: ['L0.missing-client-certificate'] });
});

test('A14 modes that need TLS or credentials are scenario problems without them', () => {
  const bad = (security: string, mode: string): string => {
    const spec = scenario(`${BASE}security: ${security}\nattacks: [{ type: A14, start: 1s, duration: 1s, params: { mode: ${mode} } }]\n`);
    return attackProblems(spec).map((p) => `${p.path}: ${p.message}`).join('; ') || 'accepted';
  };
  assert.match(bad('{ profile: 1, password: correct-horse-battery-staple }', 'cleartext'), /needs TLS: security profile 2 or 3/);
  assert.match(bad('{ profile: 0 }', 'no-credentials'), /needs a security profile that has credentials/);
  assert.match(bad('{ profile: 2, password: correct-horse-battery-staple }', 'tls1.1'), /accepted/);
});
