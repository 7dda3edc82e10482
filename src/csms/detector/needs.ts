import type { Payload } from '../../ocpp/session.js';
import { Category } from './alert.js';
import { r1, stationEntity, type Ctx } from './context.js';
import type { StationDet } from './station.js';

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
}

/** The largest of the numbers present (NaN when none is). */
function maxOf(xs: readonly number[]): number {
  let m = NaN;
  for (const x of xs) if (!Number.isNaN(x) && !(x <= m)) m = x;
  return m;
}

/**
 * NotifyEVChargingNeeds (A12d, inflated needs / SoC spoofing for priority): needs a battery cannot have.
 * - `L1.needs-above-battery`: the energy asked for (AC/DC `energyAmount`, V2X `evMaxEnergyRequest`) is more than the
 *   battery can still take — the EV's own capacity × (100 − SoC) when it reports both (DC), else the largest
 *   plausible battery (`maxBatteryWh`) × (100 − the SoC this EVSE last reported);
 * - `L1.needs-soc-mismatch`: the SoC in the needs differs from the SoC the EVSE's meter values report by more than
 *   `needsSocTolPct` points.
 * Both are load-altering: a CSMS that schedules on them gives the EV priority and power it cannot use.
 */
export function onChargingNeeds(ctx: Ctx, sd: StationDet, p: Payload, nowMs: number): void {
  const needs = p.chargingNeeds as Payload | undefined;
  if (needs === undefined || typeof p.evseId !== 'number') return;
  const t = ctx.t;
  const e = sd.evse(p.evseId, t);
  const meterSoc = e === undefined ? NaN : e.soc;
  const dc = needs.dcChargingParameters as Payload | undefined;
  const ac = needs.acChargingParameters as Payload | undefined;
  const v2x = needs.v2xChargingParameters as Payload | undefined;
  const askedWh = maxOf([num(ac?.energyAmount), num(dc?.energyAmount), num(v2x?.evMaxEnergyRequest), num(v2x?.evTargetEnergyRequest)]);
  const needsSoc = num(dc?.stateOfCharge);
  const capacityWh = num(dc?.evEnergyCapacity);
  const entity = stationEntity(sd, p.evseId);
  if (!Number.isNaN(askedWh)) {
    const soc = !Number.isNaN(needsSoc) ? needsSoc : meterSoc;
    const battery = !Number.isNaN(capacityWh) && !Number.isNaN(needsSoc) ? capacityWh : t.maxBatteryWh;
    // Unknown SoC: the whole battery is room.
    const roomWh = battery * (100 - Math.min(100, Math.max(0, Number.isNaN(soc) ? 0 : soc))) / 100;
    const limitWh = roomWh * (1 + t.powerTol) + 1000;
    if (askedWh > limitWh) {
      ctx.alert(nowMs, Category.loadAltering, 'medium', entity, {
        rule: 'L1.needs-above-battery', evseId: p.evseId, askedWh: r1(askedWh), roomWh: r1(roomWh), batteryWh: battery, soc: Number.isNaN(soc) ? null : soc,
      }, askedWh / Math.max(1, limitWh));
    }
  }
  if (!Number.isNaN(needsSoc) && !Number.isNaN(meterSoc) && Math.abs(needsSoc - meterSoc) > t.needsSocTolPct) {
    ctx.alert(nowMs, Category.loadAltering, 'medium', entity, {
      rule: 'L1.needs-soc-mismatch', evseId: p.evseId, needsSoc, meterSoc,
    });
  }
}
