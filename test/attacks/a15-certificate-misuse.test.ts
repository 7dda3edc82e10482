import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsFor, assertOnlyAttackedAlerted, conformance, runAttackScenario } from '../support/attack-run.js';
import { scenario } from '../support/fleet.js';
import { A15 } from '../../src/attacks/frames/a15-certificate-misuse.js';

const FRAMES = {
  'revoked-contract': 'Authorize(revoked-contract)',
  'expired-contract': 'Authorize(expired-contract)',
  'wrong-chain': 'Authorize(wrong-chain)',
  'emaid-mismatch': 'Authorize(emaid-mismatch)',
  'csr-cn-mismatch': 'SignCertificate(CN ≠ serial)',
  'ev-certificate-flood': 'Get15118EVCertificate(garbage exiRequest)',
} as const;
const MODES = Object.keys(FRAMES) as (keyof typeof FRAMES)[];

const YAML = `
name: a15
seed: 15
stations:
  - { name: pnc, count: 8, behaviour: plug-and-charge, pnc: { contracts: 2, centralValidationRatio: 0.5 } }
sessions: { arrivalsPerEvsePerHour: 1 }
phases: [{ duration: 1s, target: 8 }, { duration: 11s, target: 8 }]
drainTimeout: 2s
detection: { warmup: 1s }
csms: { pki: { revokedContracts: 0.4, expiredContracts: 0.3 } }
attacks:
${MODES.map((m) => `  - { type: A15, name: a15-${m}, start: 2s, duration: 8s, rate: 2, params: { mode: ${m} } }`).join('\n')}
`;

test('A15: contract, CSR and EV-certificate misuse get the certificate refusals of ATTACKS.md and a certificate alert', async () => {
  const r = await runAttackScenario(YAML);
  assert.equal(r.instances.length, MODES.length);
  for (const m of MODES) {
    const c = conformance(r, FRAMES[m]);
    assert.ok(c.expected >= 4, `${m}: ${c.expected} frames`);
    assert.equal(c.rate, 1, `${m}: ${JSON.stringify(r.reactions.filter((x) => x.frame === FRAMES[m]).slice(0, 2).map((x) => x.observed?.reactions))}`);
  }
  for (const inst of r.instances) {
    assert.equal(inst.scope.stations?.length, 1);
    assert.ok(inst.tEndMs > inst.tStartMs);
    const mine = alertsFor(r, inst);
    assert.ok(mine.some((a) => a.category === 'certificate'), `${inst.id}: ${r.alerts.map((a) => `${a.category}/${String(a.evidence.rule)}`).join(', ')}`);
  }
  // Contract modes name the eMAID presented.
  const byName = (m: string) => r.instances.find((i) => i.id.startsWith(`a15-${m}`));
  for (const m of ['revoked-contract', 'expired-contract', 'wrong-chain', 'emaid-mismatch']) assert.equal(byName(m)?.scope.tokens?.length, 1, m);
  assert.ok((r.csms.detectorStats()?.actions.csrRejected ?? 0) >= 4);
  assertOnlyAttackedAlerted(r);
});

test('A15 contract modes need revoked / expired contracts from the embedded PKI', () => {
  const spec = scenario(`
stations: [{ count: 2, behaviour: plug-and-charge }]
phases: [{ duration: 20s, target: 2 }]
attacks:
  - { type: A15, name: r, params: { mode: revoked-contract } }
  - { type: A15, name: e, params: { mode: expired-contract } }
  - { type: A15, name: w, params: { mode: wrong-chain } }
`);
  assert.match(A15.problem!(spec, spec.attacks[0]!) ?? '', /csms\.pki\.revokedContracts/);
  assert.match(A15.problem!(spec, spec.attacks[1]!) ?? '', /csms\.pki\.expiredContracts/);
  assert.equal(A15.problem!(spec, spec.attacks[2]!), undefined);
  assert.equal(A15.problem!({ ...spec, target: 'ws://csms.example/ocpp' }, spec.attacks[0]!), undefined);
});
