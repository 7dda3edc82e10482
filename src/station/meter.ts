import { isoTime } from '../util/clock.js';

/** The measurands this simulator can produce (subset of MeasurandEnumType). */
export const SUPPORTED_MEASURANDS = [
  'Energy.Active.Import.Register',
  'Power.Active.Import',
  'Current.Import',
  'Voltage',
  'SoC',
  'Current.Offered',
  'Power.Offered',
  'Frequency',
  // V2X (FLOWS.md §5.3): export registers and powers are never negative; only the setpoint is signed.
  'Energy.Active.Export.Register',
  'Power.Active.Export',
  'Current.Export',
  'Power.Active.Setpoint',
] as const;
export type Measurand = (typeof SUPPORTED_MEASURANDS)[number];

/** ReadingContextEnumType. */
export type ReadingContext =
  | 'Interruption.Begin' | 'Interruption.End' | 'Other' | 'Sample.Clock' | 'Sample.Periodic'
  | 'Transaction.Begin' | 'Transaction.End' | 'Trigger';

export type MeterPhase = 'L1' | 'L2' | 'L3' | 'N' | 'L1-N' | 'L2-N' | 'L3-N' | 'L1-L2' | 'L2-L3' | 'L3-L1';

/** SampledValueType (OCPP 2.1), the fields this simulator fills. */
export interface SampledValue {
  value: number;
  measurand?: string;
  context?: ReadingContext;
  phase?: MeterPhase;
  location?: 'Body' | 'Cable' | 'EV' | 'Inlet' | 'Outlet' | 'Upstream';
  unitOfMeasure?: { unit: string; multiplier?: number };
}

/** MeterValueType. */
export interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
}

/** What a meter reads off one EVSE; EvsePhysics implements it. */
export interface MeterReading {
  readonly current: 'AC' | 'DC';
  /** AC phases in use (1 or 3); ignored for DC. */
  readonly phases: number;
  readonly registerWh: number;
  readonly powerW: number;
  readonly offeredW: number;
  /** Phase voltage (AC) or DC voltage. */
  readonly voltageV: number;
  /** Per phase (AC) or total (DC). */
  readonly currentA: number;
  readonly offeredA: number;
  /** Undefined when no car is connected or the car does not report it. */
  readonly socPct: number | undefined;
  /** V2X (v2x-physics.ts): Energy.Active.Export.Register (Wh), export power (W) and current (A); absent = 0. */
  readonly exportRegisterWh?: number;
  readonly exportPowerW?: number;
  readonly exportCurrentA?: number;
  /** Power.Active.Setpoint (W, signed): reported only when defined (a V2X mode other than ChargingOnly). */
  readonly setpointW?: number | undefined;
}

const SUPPORTED = new Set<string>(SUPPORTED_MEASURANDS);
const CURRENT_PHASES: readonly MeterPhase[] = ['L1', 'L2', 'L3'];
const VOLTAGE_PHASES: readonly MeterPhase[] = ['L1-N', 'L2-N', 'L3-N'];
const GRID_HZ = 50;

// Every station of a run shares the same few measurand strings, so their parsed forms are shared too.
const parsed = new Map<string, readonly Measurand[]>();
const PARSED_CAP = 256;

/**
 * Parses a SampledDataCtrlr / AlignedDataCtrlr measurand list (comma-separated MemberList). Unsupported and
 * repeated entries are dropped; the result is frozen and memoised per string.
 */
export function parseMeasurands(csv: string): readonly Measurand[] {
  let m = parsed.get(csv);
  if (m) return m;
  const out: Measurand[] = [];
  for (const raw of csv.split(',')) {
    const name = raw.trim();
    if (SUPPORTED.has(name) && !out.includes(name as Measurand)) out.push(name as Measurand);
  }
  m = Object.freeze(out);
  if (parsed.size >= PARSED_CAP) parsed.clear();
  parsed.set(csv, m);
  return m;
}

/**
 * Appends the sampled values of `measurands` for `reading` to `out` (and returns it). AC current and voltage
 * are per phase (`L1`..`L3`, `L1-N`..); the energy register and power are totals, as
 * SampledDataCtrlr.RegisterValuesWithoutPhases = true says. Import values are never negative (FLOWS.md §3.6).
 */
export function sampledValues(
  reading: MeterReading, measurands: readonly Measurand[], context: ReadingContext, out: SampledValue[] = [],
): SampledValue[] {
  const ac = reading.current === 'AC';
  const phases = ac ? Math.min(3, Math.max(1, reading.phases)) : 0;
  for (let i = 0; i < measurands.length; i++) {
    const m = measurands[i]!;
    switch (m) {
      case 'Energy.Active.Import.Register':
        out.push({ value: round(nn(reading.registerWh), 10), context, measurand: m, unitOfMeasure: { unit: 'Wh' } });
        break;
      case 'Power.Active.Import':
        out.push({ value: round(nn(reading.powerW), 10), context, measurand: m, unitOfMeasure: { unit: 'W' } });
        break;
      case 'Power.Offered':
        out.push({ value: round(nn(reading.offeredW), 10), context, measurand: m, unitOfMeasure: { unit: 'W' } });
        break;
      case 'Current.Import':
      case 'Current.Offered': {
        const a = round(nn(m === 'Current.Import' ? reading.currentA : reading.offeredA), 100);
        if (!ac) out.push({ value: a, context, measurand: m, unitOfMeasure: { unit: 'A' } });
        else for (let p = 0; p < phases; p++) {
          out.push({ value: a, context, measurand: m, phase: CURRENT_PHASES[p]!, unitOfMeasure: { unit: 'A' } });
        }
        break;
      }
      case 'Voltage': {
        const v = round(nn(reading.voltageV), 10);
        if (!ac) out.push({ value: v, context, measurand: m, unitOfMeasure: { unit: 'V' } });
        else for (let p = 0; p < phases; p++) {
          out.push({ value: v, context, measurand: m, phase: VOLTAGE_PHASES[p]!, unitOfMeasure: { unit: 'V' } });
        }
        break;
      }
      case 'SoC': {
        const soc = reading.socPct;
        if (soc !== undefined) {
          out.push({ value: round(Math.min(100, nn(soc)), 10), context, measurand: m, location: 'EV', unitOfMeasure: { unit: 'Percent' } });
        }
        break;
      }
      case 'Frequency':
        if (ac) out.push({ value: GRID_HZ, context, measurand: m, unitOfMeasure: { unit: 'Hz' } });
        break;
      case 'Energy.Active.Export.Register':
        out.push({ value: round(nn(reading.exportRegisterWh ?? 0), 10), context, measurand: m, unitOfMeasure: { unit: 'Wh' } });
        break;
      case 'Power.Active.Export':
        out.push({ value: round(nn(reading.exportPowerW ?? 0), 10), context, measurand: m, unitOfMeasure: { unit: 'W' } });
        break;
      case 'Current.Export': {
        const a = round(nn(reading.exportCurrentA ?? 0), 100);
        if (!ac) out.push({ value: a, context, measurand: m, unitOfMeasure: { unit: 'A' } });
        else for (let p = 0; p < phases; p++) {
          out.push({ value: a, context, measurand: m, phase: CURRENT_PHASES[p]!, unitOfMeasure: { unit: 'A' } });
        }
        break;
      }
      case 'Power.Active.Setpoint':
        if (reading.setpointW !== undefined) {
          out.push({ value: round(reading.setpointW, 10) + 0, context, measurand: m, unitOfMeasure: { unit: 'W' } });
        }
        break;
    }
  }
  return out;
}

/**
 * One MeterValueType at `timestampMs`, or undefined when nothing is to be reported (the schema wants at least
 * one sampledValue, so the caller then omits meterValue).
 */
export function meterValue(
  reading: MeterReading, measurands: readonly Measurand[], context: ReadingContext, timestampMs: number,
): MeterValue | undefined {
  const sampledValue = sampledValues(reading, measurands, context);
  return sampledValue.length === 0 ? undefined : { timestamp: isoTime(timestampMs), sampledValue };
}

/** Non-negative and never -0 or NaN: import measurands must not go below zero. */
function nn(x: number): number {
  return x > 0 ? x : 0;
}

function round(x: number, per: number): number {
  return Math.round(x * per) / per;
}
