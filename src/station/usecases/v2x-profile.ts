/**
 * What a bidirectional station checks in a SetChargingProfile beyond K01 (FLOWS.md §5.2), and how the active
 * period becomes the physics' control. The K01 checks themselves stay in charging-profile.ts.
 */
import { rejected, type ChargingProfile, type ChargingSchedulePeriod, type SetChargingProfileResult } from '../charging-profile.js';
import type { ActivePeriod } from '../smart-charging.js';
import { CHARGING_ONLY, OPERATION_MODES, type OperationMode, type V2xControl } from '../v2x-physics.js';

/** V2XChargingCtrlr.SupportedOperationModes of the simulated station (LocalLoadBalancing needs device-model thresholds). */
export const SUPPORTED_OPERATION_MODES: readonly OperationMode[] = OPERATION_MODES.filter((m) => m !== 'LocalLoadBalancing');

const SETPOINT_FIELDS = ['setpoint', 'setpoint_L2', 'setpoint_L3'] as const;
const LIMIT_FIELDS = ['limit', 'limit_L2', 'limit_L3', 'dischargeLimit', 'dischargeLimit_L2', 'dischargeLimit_L3'] as const;

function modeOf(p: ChargingSchedulePeriod): OperationMode {
  return (p.operationMode as OperationMode | undefined) ?? 'ChargingOnly';
}

function has(p: ChargingSchedulePeriod, keys: readonly string[]): boolean {
  return keys.some((k) => p[k] !== undefined);
}

/**
 * Rejection (SetChargingProfileResponse) for a profile a V2X station cannot follow, or null when its V2X content
 * is fine. `localLoadBalancing`: the V2XChargingCtrlr.LocalLoadBalancing thresholds are configured.
 */
export function checkV2xProfile(profile: ChargingProfile, localLoadBalancing = false): SetChargingProfileResult | null {
  for (const schedule of profile.chargingSchedule ?? []) {
    for (const p of schedule.chargingSchedulePeriod ?? []) {
      const mode = modeOf(p);
      if (mode !== 'ChargingOnly' && profile.chargingProfilePurpose !== 'TxProfile' && profile.chargingProfilePurpose !== 'TxDefaultProfile') {
        return rejected('InvalidValue', `operationMode ${mode} needs a TxProfile or TxDefaultProfile`);
      }
      if (mode === 'LocalLoadBalancing' && !localLoadBalancing) {
        return rejected('MissingDevModelInfo', 'V2XChargingCtrlr.LocalLoadBalancing thresholds are not set');
      }
      if (!SUPPORTED_OPERATION_MODES.includes(mode) && mode !== 'LocalLoadBalancing') return rejected('UnsupportedParam', `operationMode ${mode}`);
      // Sign convention (FLOWS.md §5.2): limit ≥ 0, dischargeLimit ≤ 0, setpoint within [dischargeLimit, limit].
      if (p.setpoint !== undefined && ((p.limit !== undefined && p.setpoint > p.limit) || (p.dischargeLimit !== undefined && p.setpoint < p.dischargeLimit))) {
        return rejected('InvalidSchedule', `setpoint ${p.setpoint} outside [dischargeLimit, limit]`);
      }
      switch (mode) {
        case 'ChargingOnly':
          if (p.setpoint !== undefined || p.dischargeLimit !== undefined) return rejected('InvalidSchedule', 'ChargingOnly takes a limit only');
          break;
        case 'CentralSetpoint':
        case 'CentralFrequency':
          if (p.setpoint === undefined) return rejected('InvalidSchedule', `${mode} without setpoint`);
          break;
        case 'LocalFrequency': {
          if (has(p, SETPOINT_FIELDS) || has(p, LIMIT_FIELDS)) return rejected('InvalidSchedule', 'LocalFrequency takes no limit or setpoint');
          const curve = p.v2xFreqWattCurve;
          if (!Array.isArray(curve) || curve.length < 2) return rejected('NoFreqWattCurve', 'LocalFrequency needs a v2xFreqWattCurve of ≥ 2 points');
          break;
        }
        case 'Idle':
          if (has(p, SETPOINT_FIELDS) || has(p, LIMIT_FIELDS)) return rejected('InvalidSchedule', 'Idle takes no limit or setpoint');
          break;
        default:
          break;
      }
    }
  }
  return null;
}

const scale = (v: unknown, k: number): number | undefined => (typeof v === 'number' ? v * k : undefined);

// Periods are stored objects that live as long as their profile: their controls are computed once.
const controls = new WeakMap<ChargingSchedulePeriod, { k: number; c: V2xControl }>();

/** The control of an active period (values in W); ChargingOnly when nothing is active. */
export function controlOf(active: ActivePeriod | undefined): V2xControl {
  if (!active) return CHARGING_ONLY;
  const p = active.period;
  const mode = modeOf(p);
  if (mode === 'ChargingOnly') return CHARGING_ONLY;
  const k = active.wattsPerUnit;
  const memo = controls.get(p);
  if (memo && memo.k === k) return memo.c;
  const c = buildControl(p, mode, k);
  controls.set(p, { k, c });
  return c;
}

function buildControl(p: ChargingSchedulePeriod, mode: OperationMode, k: number): V2xControl {
  const c: { -readonly [K in keyof V2xControl]: V2xControl[K] } = { mode };
  const setpointW = scale(p.setpoint, k);
  const limitW = scale(p.limit, k);
  const dischargeLimitW = scale(p.dischargeLimit, k);
  const baselineW = scale(p.v2xBaseline, k);
  if (setpointW !== undefined) c.setpointW = setpointW;
  if (limitW !== undefined) c.limitW = limitW;
  if (dischargeLimitW !== undefined) c.dischargeLimitW = dischargeLimitW;
  if (baselineW !== undefined) c.baselineW = baselineW;
  if (mode === 'Idle' && p.evseSleep === true) c.evseSleep = true;
  // Curves are in W (FLOWS.md §5.2), sorted here so interpolation may assume order.
  if (Array.isArray(p.v2xFreqWattCurve)) {
    c.freqWatt = (p.v2xFreqWattCurve as { frequency: number; power: number }[]).slice().sort((a, b) => a.frequency - b.frequency);
  }
  if (Array.isArray(p.v2xSignalWattCurve)) {
    c.signalWatt = (p.v2xSignalWattCurve as { signal: number; power: number }[]).slice().sort((a, b) => a.signal - b.signal);
  }
  return c;
}
