import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/util/rng.js';
import type { StationDet } from '../../../src/csms/detector/station.js';
import { harness, txEvent, type Harness } from './support.js';

let txNo = 0;
function start(h: Harness, sd: StationDet): string {
  const now = h.clock.nowMs();
  const txId = `t${++txNo}`;
  h.call(sd, 'TransactionEvent', txEvent('Started', 0, { txId, tsMs: now, meter: { tsMs: now, wh: now / 1000 } }));
  return txId;
}
function end(h: Harness, sd: StationDet, txId: string): void {
  const now = h.clock.nowMs();
  h.call(sd, 'TransactionEvent', txEvent('Ended', 1, { txId, tsMs: now, evse: 1, meter: { tsMs: now, wh: now / 1000 } }));
}
function power(h: Harness, sd: StationDet, txId: string, seq: number, w: number): void {
  const now = h.clock.nowMs();
  h.call(sd, 'TransactionEvent', txEvent('Updated', seq, { txId, tsMs: now, evse: 1, idToken: seq === 1 ? `tok-${txId}` : undefined, chargingState: 'Charging', meter: { tsMs: now, w } }));
}

/** `n` stations; Poisson starts (then ends) at `perS` per second for `forMs`, in 100 ms steps. */
function background(h: Harness, fleet: StationDet[], rng: Rng, perS: number, forMs: number): void {
  const open = new Map<StationDet, string>();
  for (let t = 0; t < forMs; t += 100) {
    h.clock.advance(100);
    h.det.tick(h.clock.nowMs());
    let k = 0;
    for (let l = Math.exp(-perS / 10), p = rng.next(); p > l; p *= rng.next()) k++;
    for (let i = 0; i < k; i++) {
      const sd = fleet[Math.floor(rng.next() * fleet.length)]!;
      const running = open.get(sd);
      if (running !== undefined) { end(h, sd, running); open.delete(sd); } else open.set(sd, start(h, sd));
    }
  }
}

function fleetOf(h: Harness, n: number, prefix = 'CS'): StationDet[] {
  return Array.from({ length: n }, (_, i) => h.connect(`${prefix}${i}`));
}

test('Poisson starts and stops of a fleet raise no fleet alert', () => {
  const h = harness();
  const fleet = fleetOf(h, 500);
  background(h, fleet, new Rng(7), 5, 900_000);
  for (let i = 0; i < 50; i++) { h.clock.advance(100); h.det.tick(h.clock.nowMs()); }
  assert.deepEqual(h.alerts, []);
});

test('many stations starting within a second (A12b) → one fleet alert with a sample of the stations', () => {
  const h = harness();
  const fleet = fleetOf(h, 300);
  background(h, fleet, new Rng(8), 3, 300_000);
  assert.deepEqual(h.alerts, []);
  const attackers = fleetOf(h, 60, 'ATK');
  for (const sd of attackers) { h.clock.advance(10); start(h, sd); }
  const a = h.of('load-altering', 'L2.fleet-synchronicity');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.entity, 'fleet');
  assert.equal(a[0]!.evidence.event, 'Started');
  assert.ok((a[0]!.evidence.stationSample as string[]).every((id) => id.startsWith('ATK') || id.startsWith('CS')));
});

test('a burst of Ended followed by disconnects (a load test\'s ramp-down) is ignored; with stations staying, it alerts', () => {
  for (const leave of [true, false]) {
    const h = harness();
    const fleet = fleetOf(h, 200);
    background(h, fleet, new Rng(9), 2, 300_000);
    const burst = fleetOf(h, 80, 'B');
    const txs = burst.map((sd) => { h.clock.advance(1500); return start(h, sd); });
    burst.forEach((sd, i) => { h.clock.advance(5); end(h, sd, txs[i]!); });
    if (leave) for (const sd of burst) h.det.closed(sd, false);
    for (let i = 0; i < 40; i++) { h.clock.advance(100); h.det.tick(h.clock.nowMs()); }
    assert.equal(h.of('load-altering', 'L2.fleet-synchronicity').length, leave ? 0 : 1, `leave=${leave}`);
    if (leave) assert.equal(h.det.stats().drainsIgnored, 1);
  }
});

test('aggregate power step of uncommanded stations (A12) → fleet alert; the same step after our command is not', () => {
  for (const commanded of [false, true]) {
    const h = harness({ thresholds: { stepMinW: 500_000 } });
    const fleet = fleetOf(h, 100);
    const txs = fleet.map((sd) => start(h, sd));
    fleet.forEach((sd, i) => power(h, sd, txs[i]!, 1, 11_000));
    for (let s = 0; s < 120; s++) { h.clock.advance(1000); h.det.tick(h.clock.nowMs()); }
    if (commanded) for (const sd of fleet) h.det.commandSent(sd.id, 'SetChargingProfile', {});
    fleet.forEach((sd, i) => power(h, sd, txs[i]!, 2, 22_000));
    h.clock.advance(1000);
    h.det.tick(h.clock.nowMs());
    assert.equal(h.of('load-altering', 'L2.fleet-power-step').length, commanded ? 0 : 1, `commanded=${commanded}`);
  }
});
