// The EVSE's meter readings outside the TransactionEvent flow: a MeterValues sent in answer to
// TriggerMessage(MeterValues) during a transaction (F06) carries the register as of now, and the transaction's
// next event neither loses nor counts twice the energy up to it (FLOWS.md §3.6: energy = ∫P dt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCsms } from '../../src/csms/server.js';
import { parseFrame } from '../../src/ocpp/framing.js';
import type { CallOutcome, Payload } from '../../src/ocpp/session.js';
import { sampled } from '../support/audit.js';
import { runScenario, scenario, sleep, waitFor } from '../support/fleet.js';
import { startTap, type Tap } from '../support/tap.js';

const ID = 'MV-1';
const TEXT = `
name: trigger-meter
seed: 5
callTimeout: 5s
stations:
  - { count: 1, idTemplate: "${ID}", evses: 1, behaviour: idle, evse: { type: AC, maxKw: 22, phases: 3, voltage: 230 } }
sessions:
  plugDuration: 5m
  meterInterval: 10m
  energyKwh: 60
  batteryKwh: 100
  initialSocPercent: 10
  carMaxKw: 50
phases:
  - { duration: 0s, target: 100% }
  - { duration: 60s, target: 100% }
drainTimeout: 2s
`;

/** The station's CALLs on the tap (action and payload), in order. */
function calls(tap: Tap): { action: string; payload: Payload }[] {
  return tap.frames.flatMap((f) => {
    if (f.dir !== 'toCsms') return [];
    const r = parseFrame(f.text);
    return r.ok && r.frame.type === 2 ? [{ action: r.frame.action, payload: r.frame.payload as Payload }] : [];
  });
}

function ok(o: CallOutcome, what: string): Payload {
  if (!o.ok) assert.fail(`${what}: ${o.kind} ${o.code ?? ''}`);
  return o.payload;
}

/** Energy (Wh) the reading `b` should have gained over `a` at the power `a` reported, and what it gained. */
function gain(a: Payload, b: Payload): { expected: number; got: number } {
  const hours = (Date.parse(b.timestamp) - Date.parse(a.timestamp)) / 3_600_000;
  return { expected: sampled(a, 'Power.Active.Import')! * hours, got: sampled(b)! - sampled(a)! };
}

test('TriggerMessage(MeterValues) during a transaction reports the register now; the next event does not count it twice', async () => {
  const csms = await startCsms({ spec: { heartbeatInterval: 60 }, callTimeoutMs: 3000 });
  const tap = await startTap(csms.url);
  const abort = new AbortController();
  const running = runScenario(scenario(TEXT), `${tap.url}/ocpp`, abort.signal);
  try {
    assert.ok(await waitFor(() => csms.station(ID)?.accepted === true, 8000), 'station booted');
    ok(await csms.send(ID, 'RequestStartTransaction', { idToken: { idToken: 'MV-TOKEN', type: 'Central' }, remoteStartId: 7, evseId: 1 }), 'start');
    const txEvents = (): Payload[] => calls(tap).filter((c) => c.action === 'TransactionEvent').map((c) => c.payload);
    // The driver plugs in 1-5 s after a remote start (4.9 s for this seed): room for a loaded CI machine.
    assert.ok(await waitFor(() => txEvents().some((p) => p.transactionInfo.chargingState === 'Charging'), 15_000), 'the car charges');
    // A metered event to start from (TriggerMessage(TransactionEvent) settles and samples), then a stretch
    // without events (no periodic one within 10 min): ~6 Wh per second at 22 kW.
    ok(await csms.send(ID, 'TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 1 } }), 'trigger tx event');
    assert.ok(await waitFor(() => txEvents().some((p) => p.triggerReason === 'Trigger'), 3000), 'triggered TransactionEvent');
    await sleep(1500);
    ok(await csms.send(ID, 'TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 1 } }), 'trigger');
    assert.ok(await waitFor(() => calls(tap).some((c) => c.action === 'MeterValues'), 3000), 'MeterValues sent');
    const before = txEvents().at(-1)!;
    const sent = calls(tap).find((c) => c.action === 'MeterValues')!.payload;
    // As a TransactionEvent-shaped reading: the sample's timestamp, its meter values.
    const mv: Payload = { timestamp: sent.meterValue[0].timestamp, meterValue: sent.meterValue };
    assert.ok(sampled(before, 'Power.Active.Import')! > 20_000, JSON.stringify(before));
    const atTrigger = gain(before, mv);
    assert.ok(atTrigger.expected > 5, `${atTrigger.expected} Wh expected since the last event`);
    assert.ok(Math.abs(atTrigger.got - atTrigger.expected) <= 0.3, `triggered register +${atTrigger.got} Wh, P × Δt = ${atTrigger.expected.toFixed(2)} Wh`);

    await sleep(500);
    ok(await csms.send(ID, 'RequestStopTransaction', { transactionId: before.transactionInfo.transactionId }), 'stop');
    assert.ok(await waitFor(() => txEvents().some((p) => p.eventType === 'Ended'), 3000), 'Ended sent');
    const ended = txEvents().find((p) => p.eventType === 'Ended')!;
    // Energy from the last event to Ended is P × Δt over the whole stretch: the trigger's settle added nothing.
    const whole = gain(before, ended);
    assert.ok(Math.abs(whole.got - whole.expected) <= 0.3, `Ended register +${whole.got} Wh, P × Δt = ${whole.expected.toFixed(2)} Wh`);
    assert.ok(sampled(ended)! >= sampled(mv)!);
  } finally {
    abort.abort();
    await running;
    await tap.close();
    await csms.close();
  }
});
