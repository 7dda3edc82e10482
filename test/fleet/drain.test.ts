// The end of a run: stations end their sessions as drivers would, deliver the queue, and start nothing new while
// they drain — every transaction the CSMS saw start also ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFrame } from '../../src/ocpp/framing.js';
import type { Payload } from '../../src/ocpp/session.js';
import { slowServer } from '../support/servers.js';
import { runScenario, scenario } from '../support/fleet.js';

// Sessions outlast the run, so every EVSE is charging when the run ends; arrivals are frequent (mean 1 s) and the
// slow server stretches the drain over ~1 s per call, so a new arrival during the drain is all but certain if the
// station allowed one.
const TEXT = `
name: drain
seed: 11
callTimeout: 5s
stations: [{ count: 4, evses: 2 }]
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: 100ms
  plugDuration: 30s
  meterInterval: 5s
phases:
  - { duration: 0s, target: 100% }
  - { duration: 2500ms, target: 100% }
drainTimeout: 4s
`;

test('draining stations start no new session: every Started transaction gets its Ended', async () => {
  const server = await slowServer(300);
  try {
    const run = await runScenario(scenario(TEXT), `${server.url}/ocpp`);
    const events = new Map<string, string[]>();
    for (const text of server.received) {
      const r = parseFrame(text);
      if (!r.ok || r.frame.type !== 2 || r.frame.action !== 'TransactionEvent') continue;
      const p = r.frame.payload as Payload;
      const id = p.transactionInfo.transactionId as string;
      events.set(id, [...(events.get(id) ?? []), p.eventType as string]);
    }
    assert.ok(events.size >= 4, `transactions: ${events.size}`);
    for (const [id, types] of events) {
      assert.equal(types[0], 'Started', `${id}: ${types.join(',')}`);
      assert.equal(types.at(-1), 'Ended', `${id} never ended: ${types.join(',')}`);
      assert.equal(types.filter((t) => t === 'Ended').length, 1, id);
    }
    assert.equal(run.counter('tx_started'), events.size);
    assert.equal(run.counter('tx_ended'), events.size);
    // The drain finished on its own (queue delivered), well before the drain timeout.
    assert.ok(run.runMs < run.spec.duration + run.spec.drainTimeout, `run took ${run.runMs} ms`);
  } finally {
    await server.close();
  }
});
