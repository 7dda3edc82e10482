// scenarios/battery-swap.yaml runs end to end against the embedded CSMS (shortened as a user would with
// --duration/--stations): every frame schema-valid, swaps follow FLOWS.md §6 on the wire (Authorize before a
// local BatteryIn, BatteryIn/BatteryOut sharing a requestId, slot transactions around them), the batteries' energy
// is consistent with the slot meters, and against a 2.0.1-only CSMS BatterySwap is skipped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Payload } from '../../src/ocpp/session.js';
import type { Subprotocol } from '../../src/scenario/spec.js';
import { peekSwapState } from '../../src/csms/usecases/battery-swap.js';
import { sampled, transactionEvents } from '../support/audit.js';
import { runShipped } from '../support/embedded-run.js';

const FILE = fileURLToPath(new URL('../../../scenarios/battery-swap.yaml', import.meta.url));
const SHORT = { duration: 10_000, stations: 10 };

const run = (protocols?: readonly Subprotocol[]) => runShipped(FILE, SHORT, protocols);

test('scenarios/battery-swap.yaml (shortened): swaps on the wire as FLOWS.md §6 says, counted in the report', async () => {
  const { run: fleet, csms, audit, report, frames } = await run();
  const calls = audit.stationCalls;
  const swaps = calls.filter((c) => c.action === 'BatterySwap');
  const ins = swaps.filter((c) => c.payload.eventType === 'BatteryIn');
  const outs = swaps.filter((c) => c.payload.eventType === 'BatteryOut');
  assert.ok(ins.length >= 4 && outs.length >= 2, `${ins.length} in, ${outs.length} out ${JSON.stringify(fleet.snapshot.counters)}`);
  assert.equal(fleet.counter('battery_swaps'), outs.length);
  assert.ok(fleet.counter('battery_swap_requests') > 0, JSON.stringify(fleet.snapshot.counters));
  assert.match(report, new RegExp(`battery swap\\s+swaps\\s+${outs.length}\\b`));
  assert.match(report, /swap requests\s+\d+/);

  // Every BatteryOut closes a BatteryIn of the same station and requestId, with the same idToken; a local swap's
  // idToken was authorized (Accepted) on that connection before its BatteryIn.
  const requested = new Set<string>();
  for (const c of calls) {
    const key = `${c.conn}|${c.payload.requestId}`;
    if (c.action !== 'BatterySwap') continue;
    if (c.payload.eventType === 'BatteryIn') {
      requested.add(key);
      const token = JSON.stringify(c.payload.idToken);
      const local = c.payload.idToken.type !== 'Central';
      if (local) {
        const i = calls.indexOf(c);
        assert.ok(calls.slice(0, i).some((a) => a.conn === c.conn && a.action === 'Authorize' && JSON.stringify(a.payload.idToken) === token
          && a.response?.idTokenInfo?.status === 'Accepted'), `authorized before ${JSON.stringify(c.payload)}`);
      }
    } else {
      assert.ok(requested.has(key), `BatteryIn before ${JSON.stringify(c.payload)}`);
    }
    assert.equal(c.payload.batteryData.length, 1);
  }
  // Remote swaps (Central app tokens from RequestBatterySwap) happened and were matched by the CSMS.
  assert.ok(ins.some((c) => c.payload.idToken.type === 'Central'));
  const cmd = csms.stats().commands.RequestBatterySwap!;
  assert.ok(cmd.sent > 0 && (cmd.outcomes.Accepted ?? 0) > 0, JSON.stringify(cmd));
  const ids = [...new Set(frames.map((f) => f.identity))];
  assert.equal(ids.length, 10);
  const states = ids.map((id) => peekSwapState(csms.station(id))).filter((x) => x !== undefined);
  assert.ok(states.reduce((n, x) => n + x.completed, 0) > 0);
  for (const x of states) assert.equal(x.unmatched, 0);

  // Slot transactions: the battery that went in is the one whose transaction starts on that slot, at its SoC, and
  // the battery handed out leaves at the SoC its slot transaction ends with.
  const txs = transactionEvents(calls);
  const byConnSlot = new Map<string, Payload[][]>();
  for (const [, evs] of txs) {
    const started = evs[0]!;
    assert.equal(started.eventType, 'Started');
    assert.equal(started.triggerReason, 'CablePluggedIn');
    assert.equal(started.idToken.type, 'Central');
    const conn = calls.find((c) => c.action === 'TransactionEvent' && c.payload === started)!.conn;
    const k = `${conn}|${started.evse.id}`;
    byConnSlot.set(k, [...(byConnSlot.get(k) ?? []), evs]);
  }
  for (const c of ins) {
    const b = c.payload.batteryData[0];
    const slotTxs = byConnSlot.get(`${c.conn}|${b.evseId}`) ?? [];
    const started = slotTxs.map((evs) => evs[0]!).filter((s) => Math.abs((sampled(s, 'SoC') ?? -1) - b.soC) < 0.11);
    assert.ok(started.length >= 1, `a slot transaction starts with the battery in: ${JSON.stringify(b)}`);
  }
  let ended = 0;
  for (const c of outs) {
    const b = c.payload.batteryData[0];
    const slotTxs = byConnSlot.get(`${c.conn}|${b.evseId}`) ?? [];
    const end = slotTxs.map((evs) => evs.at(-1)!).find((e) => e.eventType === 'Ended' && Math.abs((sampled(e, 'SoC') ?? -1) - b.soC) < 0.11);
    assert.ok(end, `its slot transaction ends with the battery out: ${JSON.stringify(b)}`);
    assert.equal(end.transactionInfo.stoppedReason, 'EVDisconnected');
    assert.ok(b.soC >= 80, `handed out from TargetSoc on: ${b.soC}`);
    ended++;
  }
  assert.ok(ended > 0);

  // Energy: in every slot transaction the register rise matches the SoC rise of a 50-75 kWh battery, SoC only
  // rises and stays at or below MaxSoc, and the energy the fleet counted is the sum over ended slot transactions.
  let endedWh = 0;
  let charged = 0;
  for (const [, evs] of txs) {
    const socs = evs.map((e) => sampled(e, 'SoC')).filter((x): x is number => x !== undefined);
    for (let i = 1; i < socs.length; i++) assert.ok(socs[i]! >= socs[i - 1]! - 1e-9, `SoC falls in ${JSON.stringify(socs)}`);
    assert.ok(Math.max(...socs) <= 95.05, `above MaxSoc: ${Math.max(...socs)}`);
    const wh0 = sampled(evs[0]!)!;
    const last = evs.at(-1)!;
    const wh1 = sampled(last)!;
    const dSoc = socs.at(-1)! - socs[0]!;
    if (last.eventType === 'Ended') endedWh += wh1 - wh0;
    if (dSoc > 0.2) {
      // SoC is reported to 0.1 %: the capacity it implies lies between these bounds, and must meet 50-75 kWh.
      const lo = (wh1 - wh0) / (dSoc + 0.1) / 10;
      const hi = (wh1 - wh0) / (dSoc - 0.1) / 10;
      assert.ok(lo <= 75.5 && hi >= 49.5, `capacity ${lo}..${hi} kWh from ${wh1 - wh0} Wh over ${dSoc} %`);
      charged++;
    }
  }
  assert.ok(charged > 0, 'some battery charged noticeably');
  assert.ok(Math.abs(fleet.counter('energy_wh') - endedWh) < 1, `${fleet.counter('energy_wh')} vs ${endedWh}`);
  assert.ok(fleet.counter('battery_energy_out_wh') > fleet.counter('battery_energy_in_wh'));
  // Slot availability goes out as NotifyEvent(Connector.AvailabilityState) on 2.1.
  assert.ok(calls.some((c) => c.action === 'NotifyEvent' && c.payload.eventData[0].variable.name === 'AvailabilityState'
    && c.payload.eventData[0].actualValue === 'Occupied'));
});

test('scenarios/battery-swap.yaml against a 2.0.1-only CSMS: swaps happen, BatterySwap skipped and counted', async () => {
  const { run: fleet, csms, audit } = await run(['ocpp2.0.1']);
  assert.ok(audit.stationCalls.every((c) => c.action !== 'BatterySwap'));
  assert.ok(fleet.counter('battery_swaps') > 0);
  // Each completed swap skipped its BatteryIn and BatteryOut.
  assert.ok(fleet.counter('usecase_skipped_201') >= 2 * fleet.counter('battery_swaps'), JSON.stringify(fleet.snapshot.counters));
  assert.equal(csms.stats().commands.RequestBatterySwap!.sent, 0);
  assert.ok(csms.stats().commands.RequestBatterySwap!.skipped > 0);
  assert.ok(audit.stationCalls.some((c) => c.action === 'StatusNotification' && c.payload.connectorStatus === 'Occupied'));
});
