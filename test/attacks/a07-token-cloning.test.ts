import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertMs, alertStation, chargingFleet, runAttackScenario as runAttacks } from '../support/attack-run.js';

test('A07 token cloning: a token charging at one target is used at a second one (concurrent, impossible travel) → ConcurrentTx and token-clone', async () => {
  const entries = [
    '  - { type: A07, name: concurrent, start: 2s, duration: 4s, rate: 1, params: { mode: concurrent } }',
    '  - { type: A07, name: travel, start: 2s, duration: 4s, params: { mode: impossible-travel } }',
  ].join('\n');
  const r = await runAttacks(chargingFleet(6, 8, `attacks:\n${entries}\n`));
  const insts = r.of('A07');
  assert.equal(insts.length, 2, `instances: ${JSON.stringify(r.run.result.attacks?.notInjected)}`);
  const scoped = new Set<string>();
  const tokens = new Set<string>();
  for (const inst of insts) {
    const stations = inst.scope.stations ?? [];
    assert.equal(stations.length, 2, `${inst.id}: both stations in scope`);
    assert.equal(inst.scope.tokens?.length, 1, `${inst.id}: the cloned token in scope`);
    for (const s of stations) scoped.add(s);
    tokens.add(inst.scope.tokens![0]!.toLowerCase());
    assert.ok(inst.tEndMs >= inst.tStartMs && inst.tStartMs >= r.run.result.startedMs + 2000 - 5, `${inst.id} window`);
    // The clone is reported at the second station, within the window (+ its grace).
    const hits = r.alerts.filter((a) => a.category === 'token-clone' && stations.includes(alertStation(a) ?? '')
      && alertMs(a) >= inst.tStartMs - 1000 && alertMs(a) <= inst.tEndMs + inst.graceMs + 2000);
    assert.ok(hits.length > 0, `${inst.id}: no token-clone alert at ${stations.join('/')}; alerts: ${JSON.stringify(r.alerts.map((a) => [a.category, a.entity, (a.evidence as { rule?: string }).rule]))}`);
    assert.ok(hits.every((a) => typeof a.entity === 'object' && tokens.has(String(a.entity.idToken).toLowerCase())));
  }
  const rules = new Set(r.alerts.map((a) => (a.evidence as { rule?: string }).rule));
  assert.ok(rules.has('L1.token-concurrent') && rules.has('L1.token-travel'), [...rules].join(', '));
  // Conformance: every concurrent Authorize / Started got ConcurrentTx (the CSMS refuses the clone).
  const reactions = r.run.result.attacks!.reactions.filter((x) => x.type === 'A07' && x.expected.length > 0);
  assert.ok(reactions.length >= 3, `reactions: ${reactions.length}`);
  for (const x of reactions) assert.ok(x.observed?.reactions.some((o) => o.kind === 'status' && o.value === 'ConcurrentTx'), JSON.stringify(x));
  for (const a of r.alerts) {
    assert.ok(scoped.has(alertStation(a) ?? ''), `alert on an honest station: ${JSON.stringify(a)}`);
    assert.equal(a.category, 'token-clone', JSON.stringify(a.evidence));
  }
});
