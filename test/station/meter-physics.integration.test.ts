// Over real runs, per transaction, the meter values a station reports are physically consistent (FLOWS.md §3.6):
// the Energy.Active.Import.Register never decreases, power never exceeds the EVSE rating, and the energy between
// readings is the reported power × elapsed time — exactly while power is constant, within bounds while the car
// tapers or reaches its target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFrame } from '../../src/ocpp/framing.js';
import type { Payload } from '../../src/ocpp/session.js';
import { sampled } from '../support/audit.js';
import { runScenario, scenario } from '../support/fleet.js';
import { recordingServer } from '../support/servers.js';

/** Register values are rounded to 0.1 Wh and timestamps to the ms: two readings differ by at most this much. */
const TOL_WH = 0.2;
const H = 3_600_000;

interface TxEvent { at: number; p: Payload; registerWh: number | undefined; powerW: number | undefined; state: string }

/** TransactionEvents per transaction, in wire order, with the station (identity) they came from. */
function transactions(received: readonly string[]): Map<string, TxEvent[]> {
  const out = new Map<string, TxEvent[]>();
  for (const text of received) {
    const r = parseFrame(text);
    if (!r.ok || r.frame.type !== 2 || r.frame.action !== 'TransactionEvent') continue;
    const p = r.frame.payload as Payload;
    const id = p.transactionInfo.transactionId as string;
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push({ at: Date.parse(p.timestamp), p, registerWh: sampled(p), powerW: sampled(p, 'Power.Active.Import'), state: p.transactionInfo.chargingState });
  }
  return out;
}

/** Checks every transaction is whole, its register never decreases, and its power stays within `ratingW(evseId)`. */
function commonChecks(txs: Map<string, TxEvent[]>, ratingW: (events: readonly TxEvent[]) => number): void {
  for (const [id, events] of txs) {
    assert.equal(events[0]!.p.eventType, 'Started', id);
    assert.equal(events.at(-1)!.p.eventType, 'Ended', id);
    assert.deepEqual(events.map((e) => e.p.seqNo), events.map((_e, i) => i), id);
    const rating = ratingW(events);
    let last = -Infinity;
    for (const e of events) {
      if (e.registerWh !== undefined) {
        assert.ok(e.registerWh >= last, `${id} seq ${e.p.seqNo}: register ${e.registerWh} < ${last}`);
        last = e.registerWh;
      }
      if (e.powerW !== undefined) {
        assert.ok(e.powerW >= 0 && e.powerW <= rating, `${id} seq ${e.p.seqNo}: ${e.powerW} W on a ${rating} W EVSE`);
        if (e.state !== 'Charging') assert.equal(e.powerW, 0, `${id} seq ${e.p.seqNo}: ${e.state} yet ${e.powerW} W`);
      }
    }
    assert.ok(events[0]!.registerWh !== undefined && events.at(-1)!.registerWh !== undefined, `${id}: Started and Ended carry the register`);
  }
}

test('constant power: Ended − Started register = Σ power × Δt over the transaction, and per reading', async () => {
  // Big batteries at low SoC, far from their targets: no taper, no target reached, so power is constant while
  // charging — min(EVSE rating, car maximum) — and the energy is exactly computable from the wire.
  const server = await recordingServer();
  try {
    const run = await runScenario(scenario(`
name: physics-constant
seed: 31
callTimeout: 3s
stations:
  - { name: ac, count: 3, evses: 2, evse: { type: AC, maxKw: 22 } }
  - { name: dc, count: 2, evses: 1, evse: { type: DC, maxKw: 50 } }
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: { uniform: [200ms, 800ms] }
  plugDuration: { uniform: [1500ms, 3s] }
  energyKwh: 60
  batteryKwh: 100
  initialSocPercent: { uniform: [10, 30] }
  carMaxKw: { uniform: [7, 120] }
  meterInterval: 1s
  stopByTokenRatio: 0.5
phases:
  - { duration: 0s, target: 100% }
  - { duration: 4500ms, target: 100% }
drainTimeout: 2s
`), `${server.url}/ocpp`);
    const txs = transactions(server.received);
    assert.ok(txs.size >= 5, `transactions: ${txs.size}`);
    // Only AC events carry numberOfPhasesUsed.
    commonChecks(txs, (events) => (events.some((e) => e.p.numberOfPhasesUsed !== undefined) ? 22_000 : 50_000));
    let charged = 0;
    for (const [id, events] of txs) {
      const powers = events.filter((e) => e.state === 'Charging' && e.powerW !== undefined).map((e) => e.powerW!);
      if (powers.length === 0) continue; // ended before the first reading while charging: nothing to compare
      charged++;
      const p = powers[0]!;
      assert.ok(powers.every((w) => Math.abs(w - p) <= 0.1), `${id}: constant power expected, got ${powers.join(', ')}`);
      // Σ P × Δt, P = the power of the state the event put the EVSE in (0 unless Charging).
      let wh = 0;
      for (let i = 0; i + 1 < events.length; i++) {
        const a = events[i]!;
        if (a.state === 'Charging') wh += (p * (events[i + 1]!.at - a.at)) / H;
      }
      const metered = events[events.length - 1]!.registerWh! - events[0]!.registerWh!;
      assert.ok(Math.abs(metered - wh) <= TOL_WH, `${id}: register grew ${metered.toFixed(2)} Wh, Σ P·Δt = ${wh.toFixed(2)} Wh`);
      // And between any two readings.
      const m = events.filter((e) => e.registerWh !== undefined);
      for (let i = 0; i + 1 < m.length; i++) {
        let seg = 0;
        for (const e of events) {
          if (e.at >= m[i]!.at && e.at < m[i + 1]!.at && e.state === 'Charging') {
            const next = events[events.indexOf(e) + 1]!;
            seg += (p * (Math.min(next.at, m[i + 1]!.at) - e.at)) / H;
          }
        }
        const d = m[i + 1]!.registerWh! - m[i]!.registerWh!;
        assert.ok(Math.abs(d - seg) <= TOL_WH, `${id} seq ${m[i]!.p.seqNo}→${m[i + 1]!.p.seqNo}: +${d.toFixed(2)} Wh, expected ${seg.toFixed(2)} Wh`);
      }
    }
    assert.ok(charged >= 3, `transactions with charging readings: ${charged}`);
    // The fleet's energy counter is the sum over transactions of Ended − Started.
    const total = [...txs.values()].reduce((s, ev) => s + ev.at(-1)!.registerWh! - ev[0]!.registerWh!, 0);
    assert.ok(Math.abs(run.counter('energy_wh') - total) <= TOL_WH * txs.size, `energy_wh ${run.counter('energy_wh')} vs wire ${total}`);
  } finally {
    await server.close();
  }
});

test('taper and target: power only falls while charging, energy between readings stays within power × Δt bounds', async () => {
  // DC 150 kW into small batteries just past the 80 % knee, with small energy targets: power steps down as SoC
  // rises (every 0.25 % = 50 Wh) and drops to 0 (SuspendedEV) when the target is reached, inside meter intervals.
  const server = await recordingServer();
  try {
    const run = await runScenario(scenario(`
name: physics-taper
seed: 32
callTimeout: 3s
stations:
  - { name: dc, count: 4, evses: 1, evse: { type: DC, maxKw: 150 } }
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: 200ms
  plugDuration: { uniform: [3s, 5s] }
  energyKwh: { uniform: [0.06, 0.25] }
  batteryKwh: 20
  initialSocPercent: { uniform: [80.5, 82] }
  carMaxKw: { uniform: [100, 140] }
  meterInterval: 1s
phases:
  - { duration: 0s, target: 100% }
  - { duration: 4500ms, target: 100% }
drainTimeout: 2s
`), `${server.url}/ocpp`);
    const txs = transactions(server.received);
    assert.ok(txs.size >= 3, `transactions: ${txs.size}`);
    commonChecks(txs, () => 150_000);
    let tapered = 0;
    let suspended = 0;
    for (const [id, events] of txs) {
      const readings = events.filter((e) => e.powerW !== undefined);
      for (let i = 0; i + 1 < readings.length; i++) {
        const a = readings[i]!;
        const b = readings[i + 1]!;
        assert.ok(b.powerW! <= a.powerW! + 0.1, `${id}: power rose ${a.powerW} → ${b.powerW} W without a profile`);
        if (b.powerW! < a.powerW! && b.powerW! > 0) tapered++;
        // Power is non-increasing, so over [a, b] it lay between b's and a's power.
        const hours = (b.at - a.at) / H;
        const d = b.registerWh! - a.registerWh!;
        assert.ok(d <= a.powerW! * hours + TOL_WH && d >= b.powerW! * hours - TOL_WH,
          `${id} seq ${a.p.seqNo}→${b.p.seqNo}: +${d.toFixed(2)} Wh outside [${(b.powerW! * hours).toFixed(2)}, ${(a.powerW! * hours).toFixed(2)}]`);
      }
      // Once the car has what it wanted, nothing more flows.
      const full = events.findIndex((e) => e.state === 'SuspendedEV');
      if (full >= 0) {
        suspended++;
        const after = events.slice(full).filter((e) => e.registerWh !== undefined).map((e) => e.registerWh!);
        assert.ok(after.every((w) => Math.abs(w - after[0]!) <= 0.1), `${id}: register moved while SuspendedEV: ${after.join(', ')}`);
        // Reported by the next event: a ChargingStateChanged update, or the Ended event if the session ended first.
        const first = events[full]!.p;
        assert.ok(first.triggerReason === 'ChargingStateChanged' || first.eventType === 'Ended', `${id}: ${first.triggerReason}`);
      }
    }
    assert.ok(tapered >= 1, 'some readings show the taper');
    assert.ok(suspended >= 1, 'some cars reached their target');
    assert.equal(run.counter('tx_started'), txs.size);
  } finally {
    await server.close();
  }
});
