import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benignSession, feed, harness, txEvent } from './support.js';

const T0 = Date.UTC(2026, 0, 1);

test('benign AC and DC sessions with consistent physics raise nothing', () => {
  const h = harness();
  const ac = h.connect('AC-1');
  const dc = h.connect('DC-1');
  h.call(ac, 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'AC22-XY3', vendorName: 'V', serialNumber: 'S1' } });
  h.det.bootVerdict('AC-1', { reason: 'PowerUp', chargingStation: { model: 'AC22-XY3', vendorName: 'V', serialNumber: 'S1' } });
  h.det.bootVerdict('DC-1', { reason: 'PowerUp', chargingStation: { model: 'DC150-AB1', vendorName: 'V', serialNumber: 'S2' } });
  feed(h, ac, benignSession({ txId: 'a1', startMs: T0 + 1000, startWh: 5_000_000, w: 22_000, samples: 12, ac: true, token: '04A1' }));
  feed(h, dc, benignSession({ txId: 'd1', startMs: h.clock.nowMs() + 1000, startWh: 1_000_000, w: 150_000, samples: 12, token: '04D1' }));
  // A second session on the same EVSE: the register continues from where it stopped.
  feed(h, ac, benignSession({ txId: 'a2', startMs: h.clock.nowMs() + 1000, startWh: 5_100_000, w: 11_000, samples: 5, token: '04A2' }));
  assert.deepEqual(h.alerts, []);
  assert.equal(h.det.stats().actions.billingHolds, 0);
});

test('register decreasing within a transaction → under-reporting with evidence', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  const ev = benignSession({ txId: 't', startMs: T0, startWh: 100_000, w: 11_000, samples: 4 });
  feed(h, sd, ev.slice(0, 5));
  h.clock.advance(5000);
  feed(h, sd, [txEvent('Updated', 5, { txId: 't', tsMs: h.clock.nowMs(), chargingState: 'Charging', meter: { tsMs: h.clock.nowMs(), wh: 99_000, w: 11_000 } })]);
  const a = h.of('under-reporting', 'L1.register-decrease');
  assert.equal(a.length, 1);
  assert.deepEqual(a[0]!.entity, { stationId: 'CS-1', evseId: 1 });
  assert.equal(a[0]!.evidence.transactionId, 't');
  assert.ok((a[0]!.evidence.deltaWh as number) < 0);
  assert.equal(a[0]!.severity, 'high');
  assert.equal(h.det.stats().actions.billingHolds, 1);
});

test('energy scaled ×0.5 while power flows → under-reporting at once; ×0.95-0.97 → CUSUM after a few samples', () => {
  for (const [k, rule, maxSamples] of [[0.5, 'L1.energy-below-power', 1], [0.95, 'L2.energy-power-cusum', 6], [0.97, 'L2.energy-power-cusum', 12]] as const) {
    const h = harness();
    const sd = h.connect('CS-1');
    feed(h, sd, benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 22_000, samples: 2 }).slice(0, 4));
    let wh = 1000 + (22_000 * 10_000) / 3_600_000;
    let seq = 4;
    let n = 0;
    while (h.of('under-reporting', rule).length === 0 && n < 20) {
      const ts = h.clock.nowMs() + 5000;
      wh += ((22_000 * 5000) / 3_600_000) * k;
      feed(h, sd, [txEvent('Updated', seq++, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh: Math.round(wh * 10) / 10, w: 22_000 } })]);
      n++;
    }
    assert.ok(n <= maxSamples, `k=${k}: ${n} samples`);
    assert.equal(h.of('under-reporting', rule).length, 1, `k=${k}`);
  }
});

test('frozen meter (the last reading handed over again, meter timestamp included, while power flows) → maintenance, not theft', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  const ev = benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 11_000, samples: 2 }).slice(0, 4);
  feed(h, sd, ev);
  const lastMv = ev[3]!.meterValue[0] as { timestamp: string; sampledValue: { measurand: string; value: number }[] };
  for (let i = 0; i < 3; i++) {
    const ts = h.clock.nowMs() + 5000;
    h.clock.advance(5000);
    const e = txEvent('Updated', 4 + i, { txId: 't', tsMs: ts, chargingState: 'Charging' });
    feed(h, sd, [{ ...e, meterValue: [lastMv] }]);
  }
  assert.equal(h.of('maintenance', 'L1.frozen-meter').length, 1);
  assert.equal(h.of('under-reporting').length, 0);
});

test('register standing still under fresh meter timestamps while power flows → under-reporting (A08 freeze)', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  const ev = benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 11_000, samples: 2 }).slice(0, 4);
  feed(h, sd, ev);
  const last = ev[3]!.meterValue[0].sampledValue as { measurand: string; value: number }[];
  const wh = last.find((s) => s.measurand === 'Energy.Active.Import.Register')!.value;
  const ts = h.clock.nowMs() + 5000;
  feed(h, sd, [txEvent('Updated', 4, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh, w: 11_000, a: 27.5, v: 400 } })]);
  assert.equal(h.of('under-reporting', 'L1.energy-below-power').length, 1);
  assert.equal(h.of('maintenance').length, 0);
});

test('register frozen while power changes → under-reporting', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  feed(h, sd, benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 11_000, samples: 1 }).slice(0, 3));
  const ts = h.clock.nowMs() + 5000;
  feed(h, sd, [txEvent('Updated', 3, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh: 1000 + (11_000 * 5000) / 3_600_000, w: 10_000 } })]);
  assert.equal(h.of('under-reporting', 'L1.energy-below-power').length, 1);
});

test('power above the model rating, energy above rating·Δt, P above V·I → impossible-physics', () => {
  const h = harness();
  const sd = h.connect('CS-AC');
  h.det.bootVerdict('CS-AC', { reason: 'PowerUp', chargingStation: { model: 'AC22-QQ1', vendorName: 'V' } });
  feed(h, sd, benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 22_000, samples: 1, ac: true }).slice(0, 3));
  let ts = h.clock.nowMs() + 5000;
  feed(h, sd, [txEvent('Updated', 3, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh: 1100, w: 220_000 } })]);
  assert.equal(h.of('impossible-physics', 'L1.power-rating').length, 1);
  assert.equal(h.of('impossible-physics', 'L1.power-rating')[0]!.evidence.ratingSource, 'model');
  ts += 5000;
  h.clock.advance(61_000);
  feed(h, sd, [txEvent('Updated', 4, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh: 5000, w: 20_000 } })]);
  assert.equal(h.of('impossible-physics', 'L1.energy-rating').length, 1);
  // P = 20 kW with 3 × 230 V × 10 A = 6.9 kW: the power reading is inflated.
  ts += 5000;
  h.clock.advance(61_000);
  feed(h, sd, [txEvent('Updated', 5, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh: 5000 + (20_000 * 5000) / 3_600_000, w: 20_000, a: 10, v: 230, ac: true } })]);
  assert.equal(h.of('impossible-physics', 'L1.power-vi').length, 1);
});

test('without a model class: AC is bounded by phases × 230 V × 32 A, DC by the DC cap', () => {
  const h = harness();
  const sd = h.connect('CS-X');
  feed(h, sd, [txEvent('Started', 0, { txId: 't', tsMs: T0, phases: 3, meter: { tsMs: T0, wh: 10 } })]);
  feed(h, sd, [txEvent('Updated', 1, { txId: 't', tsMs: T0 + 5000, chargingState: 'Charging', idToken: 'x', phases: 3, meter: { tsMs: T0 + 5000, wh: 20, w: 23_000 } })]);
  assert.equal(h.of('impossible-physics', 'L1.power-rating').length, 0, '23 kW is within 22.08 kW + 5 % + 200 W');
  feed(h, sd, [txEvent('Updated', 2, { txId: 't', tsMs: T0 + 10_000, chargingState: 'Charging', meter: { tsMs: T0 + 10_000, wh: 40, w: 30_000 } })]);
  assert.equal(h.of('impossible-physics', 'L1.power-rating').length, 1);
  const dc = h.connect('CS-Y');
  feed(h, dc, [txEvent('Started', 0, { txId: 'u', tsMs: T0 + 11_000, meter: { tsMs: T0 + 11_000, wh: 10, w: 350_000 } })]);
  assert.equal(h.alerts.filter((a) => a.entity !== 'fleet' && a.entity.stationId === 'CS-Y').length, 0);
});

test('SoC falling while charging, or rising faster than the energy allows → impossible-physics', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  feed(h, sd, benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 11_000, samples: 2 }).slice(0, 4));
  let ts = h.clock.nowMs() + 5000;
  let wh = 1000 + (11_000 * 12_000) / 3_600_000;
  feed(h, sd, [txEvent('Updated', 4, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh, w: 11_000, soc: 10 } })]);
  assert.equal(h.of('impossible-physics', 'L1.soc-falls').length, 1);
  ts += 5000; wh += (11_000 * 5000) / 3_600_000;
  h.clock.advance(61_000);
  feed(h, sd, [txEvent('Updated', 5, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh, w: 11_000, soc: 90 } })]);
  assert.equal(h.of('impossible-physics', 'L1.soc-jump').length, 1);
});

test('power above an accepted charging-profile limit after the grace → load-altering', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  feed(h, sd, benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 22_000, samples: 1 }).slice(0, 3));
  const req = { evseId: 0, chargingProfile: { id: 100, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11_000 }] }] } };
  h.det.commandSent('CS-1', 'SetChargingProfile', req);
  h.det.commandDone('CS-1', 'SetChargingProfile', req, { ok: true, payload: { status: 'Accepted' } });
  let wh = 1000 + (22_000 * 5000) / 3_600_000;
  for (let i = 0; i < 5; i++) {
    const ts = h.clock.nowMs() + 5000;
    wh += (22_000 * 5000) / 3_600_000;
    feed(h, sd, [txEvent('Updated', 3 + i, { txId: 't', tsMs: ts, chargingState: 'Charging', meter: { tsMs: ts, wh, w: 22_000 } })]);
    if (i < 2) assert.equal(h.of('load-altering').length, 0, 'within the grace');
  }
  const a = h.of('load-altering', 'L1.profile-limit');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.evidence.limitW, 11_000);
});

test('power switching on and off within one transaction → oscillation', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  feed(h, sd, benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 22_000, samples: 1 }).slice(0, 2));
  let wh = 1000;
  for (let i = 0; i < 6; i++) {
    const ts = h.clock.nowMs() + 5000;
    const w = i % 2 === 0 ? 22_000 : 0;
    feed(h, sd, [txEvent('Updated', 2 + i, { txId: 't', tsMs: ts, chargingState: w > 0 ? 'Charging' : 'SuspendedEVSE', meter: { tsMs: ts, wh, w } })]);
    wh += (w * 5000) / 3_600_000;
  }
  assert.equal(h.of('load-altering', 'L2.power-oscillation').length, 1);
});

test('MeterValues: instantaneous checks only (a triggered reading may repeat an older register)', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  feed(h, sd, benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 11_000, samples: 3 }).slice(0, 5));
  const ts = h.clock.nowMs();
  h.call(sd, 'MeterValues', { evseId: 1, meterValue: [{ timestamp: new Date(ts).toISOString(), sampledValue: [{ value: 1000 + (11_000 * 15_000) / 3_600_000 - 0.1, measurand: 'Energy.Active.Import.Register', context: 'Trigger' }] }] });
  assert.deepEqual(h.alerts, []);
  h.call(sd, 'MeterValues', { evseId: 1, meterValue: [{ timestamp: new Date(ts).toISOString(), sampledValue: [{ value: 500, measurand: 'Energy.Active.Import.Register', context: 'Trigger' }] }] });
  assert.equal(h.of('under-reporting', 'L1.register-decrease').length, 1);
});

test('two events a millisecond apart (a rate change right before a periodic sample) are not a shortfall', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  feed(h, sd, benignSession({ txId: 't', startMs: T0, startWh: 1000, w: 11_000, samples: 1 }).slice(0, 3));
  let ts = h.clock.nowMs() + 5000;
  let wh = 1000 + (11_000 * 10_000) / 3_600_000;
  for (let i = 0; i < 10; i++) {
    const r = Math.round(wh * 10) / 10;
    feed(h, sd, [txEvent('Updated', 3 + 2 * i, { txId: 't', tsMs: ts, trigger: 'ChargingRateChanged', chargingState: 'Charging', meter: { tsMs: ts, wh: r, w: 11_000 } })]);
    feed(h, sd, [txEvent('Updated', 4 + 2 * i, { txId: 't', tsMs: ts + 1, chargingState: 'Charging', meter: { tsMs: ts + 1, wh: r, w: 11_000 } })]);
    ts += 5000;
    wh += (11_000 * 5001) / 3_600_000;
  }
  assert.deepEqual(h.alerts, []);
});
