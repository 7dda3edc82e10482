import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenRegistry } from '../../src/cli/embedded.js';
import { startCsms } from '../../src/csms/server.js';
import { conformanceOf, type Alert } from '../../src/detection/index.js';
import { runScenario, scenario } from '../support/fleet.js';

const PASSWORD = 'correct-horse-battery-staple';

const YAML = `
name: attacks-core
seed: 11
security: { profile: 1, password: ${PASSWORD} }
stations: [{ count: 6, behaviour: idle }]
phases: [{ duration: 1s, target: 6 }, { duration: 8s, target: 6 }]
drainTimeout: 2s
detection: { warmup: 1s }
attacks:
  - { type: A06, instances: 2, start: 2s, spread: 2s, duration: 2s, rate: 10 }
  - { type: A16, start: 2s, duration: 1s, rate: 2, params: { events: [TamperDetectionActivated, SecurityLogWasCleared] } }
  - { type: A02, start: 2s, duration: 2s, rate: 5 }
`;

test('attack instances inject against the embedded CSMS, record out-of-band ground truth and the exact reactions, and are detected', async () => {
  const alerts: Alert[] = [];
  const spec = scenario(YAML);
  const csms = await startCsms({
    security: { profile: 1, password: PASSWORD },
    // The token registry of `chargestorm run`: guessed tokens are not the drivers'.
    knownTokens: tokenRegistry(spec)!,
    detector: { enabled: true, onAlert: (a) => { alerts.push(a as unknown as Alert); } },
  });
  try {
    const run = await runScenario(spec, `${csms.url}/ocpp`);
    const res = run.result.attacks;
    assert.ok(res, 'results present');
    assert.equal(res.planned, 4);
    assert.deepEqual(res.notInjected, [], `errors: ${run.counter('attack_errors')} ${run.trace.filter((t) => t.line.includes('attack')).map((t) => t.line).join('; ')}`);
    const ids = res.instances.map((i) => i.id).sort();
    assert.deepEqual(ids, ['a02-1', 'a06-1', 'a06-2', 'a16-1']);
    // Instances of all entries get disjoint stations.
    const stations = res.instances.flatMap((i) => i.scope.stations ?? []);
    assert.equal(new Set(stations).size, stations.length);
    for (const inst of res.instances) {
      assert.ok(inst.tStartMs >= run.result.startedMs + 2000 - 5, `${inst.id} starts after its start time`);
      assert.ok(inst.tEndMs >= inst.tStartMs && inst.tEndMs <= run.result.startedMs + 6000 + 100, `${inst.id} ends in its window`);
    }
    const a06 = res.instances.filter((i) => i.type === 'A06');
    for (const i of a06) assert.ok((i.scope.tokens?.length ?? 0) >= 15, 'every guessed token is in scope');
    // Every guessed token was refused as unknown, every wrong password got a 401: full conformance.
    const byType = (t: string) => res.reactions.filter((r) => r.type === t);
    assert.ok(byType('A06').length >= 30);
    assert.ok(byType('A06').every((r) => r.observed?.reactions.some((x) => x.kind === 'status' && (x.value === 'Unknown' || x.value === 'Invalid'))));
    assert.equal(conformanceOf(byType('A06')).rate, 1);
    assert.ok(byType('A02').length >= 8);
    assert.ok(byType('A02').every((r) => r.observed?.reactions.some((x) => x.kind === 'http' && (x.value === 401 || x.value === 429))));
    assert.ok(byType('A16').length >= 2);
    // The embedded detector saw them.
    const cats = new Set(alerts.map((a) => a.category));
    assert.ok(cats.has('token-brute-force'), `categories: ${[...cats].join(', ')}`);
    assert.ok(cats.has('security-event'), `categories: ${[...cats].join(', ')}`);
    assert.ok(cats.has('credential-brute-force'), `categories: ${[...cats].join(', ')}`);
  } finally {
    await csms.close();
  }
});

test('an instance whose targets never come online is not injected and not scored', async () => {
  const csms = await startCsms({ spec: { bootStatus: 'Rejected' } });
  try {
    const spec = scenario(`
stations: [{ count: 2, behaviour: idle }]
phases: [{ duration: 3s, target: 2 }]
drainTimeout: 1s
attacks: [{ type: A06, start: 1s, duration: 1s }]
`);
    const run = await runScenario(spec, `${csms.url}/ocpp`);
    assert.deepEqual(run.result.attacks?.instances, []);
    assert.deepEqual(run.result.attacks?.notInjected, ['a06-1']);
    assert.equal(run.counter('attack_targets_unavailable'), 1);
  } finally {
    await csms.close();
  }
});
