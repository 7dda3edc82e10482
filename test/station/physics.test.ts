import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvseModel } from '../../src/scenario/spec.js';
import { EvsePhysics } from '../../src/station/physics.js';
import { Rng } from '../../src/util/rng.js';

const AC22: EvseModel = { current: 'AC', maxPowerW: 22080, phases: 3, voltageV: 230, connectors: [{ type: 'cType2' }] };
const AC1: EvseModel = { current: 'AC', maxPowerW: 7360, phases: 1, voltageV: 230, connectors: [{ type: 'sType2' }] };
const DC150: EvseModel = { current: 'DC', maxPowerW: 150000, phases: 3, voltageV: 920, connectors: [{ type: 'cCCS2' }] };
const H = 3_600_000;

function close(actual: number, expected: number, rel = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)), `${actual} ≠ ${expected}`);
}

test('energy is exactly Σ P·Δt for piecewise-constant power, and P = min(rating, limit, car)', () => {
  const ev = new EvsePhysics(AC22, 1_000_000);
  ev.plugIn({ batteryWh: 1e9, initialSocPct: 10, carMaxPowerW: 11000, targetEnergyWh: Infinity });
  ev.energize(true);
  const steps: [number, number | undefined][] = [
    [60_000, undefined], [123_457, 7000], [30_000, 0], [1_000, 50_000], [900_001, 3000.5], [17, undefined],
  ];
  let expected = 0;
  for (const [dt, limit] of steps) {
    ev.advance(dt, limit);
    const p = Math.min(22080, limit ?? Infinity, 11000);
    expected += (p * dt) / H;
    assert.equal(ev.powerW, p);
  }
  close(ev.sessionEnergyWh, expected);
  close(ev.registerWh, 1_000_000 + expected);
});

test('power never exceeds rating, limit or the car; SoC = initial + energy / battery', () => {
  const rng = new Rng(99);
  for (const model of [AC22, AC1, DC150]) {
    const ev = new EvsePhysics(model);
    const batteryWh = 40_000 + rng.next() * 60_000;
    const carMax = 3000 + rng.next() * 200_000;
    ev.plugIn({ batteryWh, initialSocPct: 5 + rng.next() * 50, carMaxPowerW: carMax, targetEnergyWh: Infinity });
    ev.energize(true);
    const initial = ev.socPct!;
    let lastRegister = ev.registerWh;
    for (let i = 0; i < 400; i++) {
      const limit = rng.next() < 0.2 ? undefined : rng.next() * 60_000;
      ev.advance(rng.next() * 120_000, limit);
      assert.ok(ev.powerW <= Math.min(model.maxPowerW, limit ?? Infinity, carMax) + 1e-9);
      assert.ok(ev.powerW >= 0);
      assert.ok(ev.registerWh >= lastRegister);
      lastRegister = ev.registerWh;
      close(ev.socPct!, initial + (ev.sessionEnergyWh / batteryWh) * 100, 1e-9);
      assert.ok(ev.socPct! <= 100 + 1e-9);
    }
  }
});

test('charging suspends (SuspendedEV) exactly at the target energy', () => {
  const ev = new EvsePhysics(AC22, 500);
  ev.plugIn({ batteryWh: 80_000, initialSocPct: 20, carMaxPowerW: 11000, targetEnergyWh: 5000 });
  assert.equal(ev.state, 'EVConnected');
  ev.energize(true);
  assert.equal(ev.state, 'Charging');
  assert.equal(ev.msUntilSuspended(), (5000 / 11000) * H);
  ev.advance(2 * H);
  close(ev.sessionEnergyWh, 5000, 1e-12);
  close(ev.registerWh, 5500, 1e-12);
  assert.equal(ev.state, 'SuspendedEV');
  assert.equal(ev.powerW, 0);
  assert.equal(ev.msUntilSuspended(), 0);
  ev.advance(H);
  close(ev.sessionEnergyWh, 5000, 1e-12);
});

test('limit 0 is SuspendedEVSE; unplugging idles; the register survives sessions', () => {
  const ev = new EvsePhysics(AC1, 100);
  ev.plugIn({ batteryWh: 50_000, initialSocPct: 50, carMaxPowerW: 7400, targetEnergyWh: Infinity });
  ev.energize(true, 0);
  assert.equal(ev.state, 'SuspendedEVSE');
  assert.equal(ev.msUntilSuspended(0), Infinity);
  ev.advance(H, 0);
  assert.equal(ev.registerWh, 100);
  ev.advance(H / 2, 3680);
  assert.equal(ev.state, 'Charging');
  close(ev.registerWh, 100 + 1840);
  ev.unplug();
  assert.equal(ev.state, 'Idle');
  assert.equal(ev.socPct, undefined);
  ev.advance(H);
  close(ev.registerWh, 1940);
  ev.plugIn({ batteryWh: 50_000, initialSocPct: 50, carMaxPowerW: 7400, targetEnergyWh: Infinity });
  ev.energize(true);
  ev.advance(H / 10);
  close(ev.registerWh, 1940 + 736);
});

test('DC tapers above 80 % SoC and still reaches 100 % (SuspendedEV)', () => {
  const ev = new EvsePhysics(DC150);
  ev.plugIn({ batteryWh: 60_000, initialSocPct: 79, carMaxPowerW: 150_000, targetEnergyWh: Infinity, batteryVoltageV: 400 });
  ev.energize(true);
  assert.equal(ev.powerW, 150_000);
  const tFull = ev.msUntilSuspended();
  assert.ok(tFull > 0 && tFull < 2 * H);
  ev.advance(60_000);
  ev.advance(120_000);
  assert.ok(ev.socPct! > 85 && ev.powerW < 150_000, `soc ${ev.socPct} power ${ev.powerW}`);
  ev.advance(2 * H);
  close(ev.socPct!, 100, 1e-9);
  close(ev.sessionEnergyWh, 0.21 * 60_000, 1e-9);
  assert.equal(ev.state, 'SuspendedEV');
});

test('msUntilSuspended predicts the suspension that advance() then reaches', () => {
  const ev = new EvsePhysics(DC150);
  ev.plugIn({ batteryWh: 75_000, initialSocPct: 30, carMaxPowerW: 120_000, targetEnergyWh: 45_000 });
  ev.energize(true, 100_000);
  const t = ev.msUntilSuspended(100_000);
  ev.advance(t - 1000, 100_000);
  assert.equal(ev.state, 'Charging');
  ev.advance(1000, 100_000);
  assert.equal(ev.state, 'SuspendedEV');
});

test('currents: AC per phase = P / (phases × V), DC = P / V', () => {
  const ac = new EvsePhysics(AC22);
  ac.plugIn({ batteryWh: 1e6, initialSocPct: 0, carMaxPowerW: 11040, targetEnergyWh: Infinity });
  ac.energize(true);
  close(ac.currentA, 16);
  close(ac.offeredA, 32);
  const dc = new EvsePhysics(DC150);
  dc.plugIn({ batteryWh: 1e6, initialSocPct: 0, carMaxPowerW: 50_000, targetEnergyWh: Infinity, batteryVoltageV: 400 });
  dc.energize(true);
  assert.equal(dc.voltageV, 400);
  close(dc.currentA, 125);
});
