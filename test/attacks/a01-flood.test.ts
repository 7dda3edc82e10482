import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDetected, runAttack } from './support.js';

const BASE = `
seed: 1
security: { profile: 1, password: correct-horse-battery-staple }
validation: strict
stations: [{ count: 5, behaviour: idle }]
reconnect: { waitMinimum: 300ms, randomRange: 200ms, repeatTimes: 1 }
drainTimeout: 1s
`;

test('A01 messages and oversized on the station\'s own socket: closed 1008 / 1009, flood alerts, the station comes back', async () => {
  const r = await runAttack(`${BASE}
phases: [{ duration: 500ms, target: 5 }, { duration: 6s, target: 5 }]
attacks:
  - { type: A01, name: msgs, start: 1s, duration: 2s, rate: 400, params: { mode: messages, action: Heartbeat } }
  - { type: A01, name: big, start: 1s, duration: 1s, rate: 1, params: { mode: oversized } }
`);
  const insts = assertDetected(r, 'A01', 'flood', { n: 2 });
  const closes = r.reactions.map((x) => x.observed?.reactions[0]?.value);
  assert.ok(closes.includes(1008) && closes.includes(1009), JSON.stringify(closes));
  const rules = new Set(r.alerts.map((a) => String(a.evidence.rule)));
  // The per-station rate rules (L0 bucket or L2 rate) fold into one flood incident per station.
  assert.ok((rules.has('L0.message-rate-station') || rules.has('L2.message-rate')) && rules.has('L0.frame-size'), [...rules].join(','));
  assert.ok(r.run.counter('attack_a01_frames') >= 300, `frames ${r.run.counter('attack_a01_frames')}`);
  // Both flooded stations reconnected by themselves: every station is connected at the end of the run.
  assert.ok(r.run.counter('reconnects') >= 2, `reconnects ${r.run.counter('reconnects')}`);
  assert.ok(insts.every((i) => i.scope.stations?.length === 1));
});

test('A01 reconnect storm and extra sockets: 429 at the upgrade, newcomers closed 1008, flood alerts', async () => {
  const r = await runAttack(`${BASE}
phases: [{ duration: 500ms, target: 5 }, { duration: 4s, target: 5 }]
attacks:
  - { type: A01, name: storm, start: 1s, duration: 2s, rate: 30, params: { mode: reconnect } }
  - { type: A01, name: socks, start: 1s, duration: 2s, rate: 10, params: { mode: sockets } }
`);
  const insts = assertDetected(r, 'A01', 'flood', { n: 2 });
  const storm = r.reactions.filter((x) => x.frame === 'upgrade storm');
  assert.equal(storm.length, 1);
  assert.ok(r.reactions.filter((x) => x.frame === 'extra socket').length >= 10);
  assert.ok(insts.length === 2);
});
