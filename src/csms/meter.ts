import type { Payload } from '../ocpp/session.js';

const REGISTER = 'Energy.Active.Import.Register';

function toWh(sv: Payload): number {
  const v = sv.value;
  if (typeof v !== 'number' || !Number.isFinite(v)) return NaN;
  const u = sv.unitOfMeasure as Payload | undefined;
  const unit = typeof u?.unit === 'string' ? u.unit : 'Wh';
  const mult = typeof u?.multiplier === 'number' ? 10 ** u.multiplier : 1;
  const scale = unit === 'kWh' ? 1000 : unit === 'Wh' ? 1 : NaN;
  return v * mult * scale;
}

/**
 * The last Energy.Active.Import.Register reading (or of another Wh register `measurand`, e.g. the V2X
 * Energy.Active.Export.Register) in a `meterValue[]` array, in Wh (FLOWS.md §3.6: measurand
 * defaults to the register, unit to Wh, `multiplier` is a power of ten). A phase-less value wins; otherwise
 * the per-phase L1/L2/L3 values of one sample are summed. NaN when there is none.
 */
export function energyRegisterWh(meterValue: unknown, measurand: string = REGISTER): number {
  if (!Array.isArray(meterValue)) return NaN;
  let result = NaN;
  for (const mv of meterValue as Payload[]) {
    const sampled = mv?.sampledValue;
    if (!Array.isArray(sampled)) continue;
    let whole = NaN;
    let phases = 0;
    let phaseSum = 0;
    for (const sv of sampled as Payload[]) {
      if ((sv.measurand ?? REGISTER) !== measurand) continue;
      if (sv.location !== undefined && sv.location !== 'Outlet' && sv.location !== 'Inlet') continue;
      const wh = toWh(sv);
      if (Number.isNaN(wh)) continue;
      if (sv.phase === undefined) whole = wh;
      else if (sv.phase === 'L1' || sv.phase === 'L2' || sv.phase === 'L3') { phases++; phaseSum += wh; }
    }
    if (!Number.isNaN(whole)) result = whole;
    else if (phases > 0) result = phaseSum;
  }
  return result;
}
