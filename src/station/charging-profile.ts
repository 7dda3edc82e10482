/**
 * OCPP 2.1 charging-profile types (SetChargingProfileRequest.chargingProfile and friends) and the validation a
 * station applies before storing one (use case K01). Profiles are kept exactly as received, extra 2.1 fields
 * (V2X setpoints, price schedules, ...) included, so that GetChargingProfiles reports them back unchanged.
 */

export type ChargingProfilePurpose =
  | 'ChargingStationExternalConstraints' | 'ChargingStationMaxProfile' | 'TxDefaultProfile' | 'TxProfile'
  | 'PriorityCharging' | 'LocalGeneration';
export type ChargingProfileKind = 'Absolute' | 'Recurring' | 'Relative' | 'Dynamic';
export type ChargingRateUnit = 'W' | 'A';

export interface ChargingSchedulePeriod {
  startPeriod: number;
  /** Optional in 2.1: a period without a limit does not limit charging. */
  limit?: number;
  numberPhases?: number;
  phaseToUse?: number;
  /** V2X (2.1); kept but not evaluated. */
  dischargeLimit?: number;
  setpoint?: number;
  [extra: string]: unknown;
}

export interface ChargingSchedule {
  id: number;
  startSchedule?: string;
  /** s */
  duration?: number;
  chargingRateUnit: ChargingRateUnit;
  chargingSchedulePeriod: ChargingSchedulePeriod[];
  minChargingRate?: number;
  [extra: string]: unknown;
}

export interface ChargingProfile {
  id: number;
  stackLevel: number;
  chargingProfilePurpose: ChargingProfilePurpose;
  chargingProfileKind: ChargingProfileKind;
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  transactionId?: string;
  chargingSchedule: ChargingSchedule[];
  [extra: string]: unknown;
}

export interface StatusInfo {
  reasonCode: string;
  additionalInfo?: string;
}

/** SetChargingProfileResponse. */
export interface SetChargingProfileResult {
  status: 'Accepted' | 'Rejected';
  statusInfo?: StatusInfo;
}

/** The station's smart-charging capabilities (SmartChargingCtrlr variables). */
export interface SmartChargingLimits {
  /** SmartChargingCtrlr.ProfileStackLevel: highest stackLevel accepted. */
  maxStackLevel: number;
  /** SmartChargingCtrlr.PeriodsPerSchedule */
  maxPeriods: number;
  /** maxLimit of SmartChargingCtrlr.Entries[ChargingProfiles]: profiles stored at once. */
  maxProfiles: number;
}

export const DEFAULT_SMART_CHARGING_LIMITS: Readonly<SmartChargingLimits> = Object.freeze({
  maxStackLevel: 8,
  maxPeriods: 24,
  maxProfiles: 16,
});

/** A profile as stored: the original plus its times parsed once (ms since epoch; NaN = absent). */
export interface StoredProfile {
  readonly evseId: number;
  readonly profile: ChargingProfile;
  readonly validFromMs: number;
  readonly validToMs: number;
  /** startSchedule of the evaluated (first) schedule; NaN for Relative. */
  readonly startMs: number;
  /** Schedule duration (ms); Infinity without one. */
  readonly durationMs: number;
  /** Recurrence period (ms); 0 when not recurring. */
  readonly recurrenceMs: number;
}

const DAY_MS = 86_400_000;

export function rejected(reasonCode: string, additionalInfo?: string): SetChargingProfileResult {
  return additionalInfo === undefined
    ? { status: 'Rejected', statusInfo: { reasonCode } }
    : { status: 'Rejected', statusInfo: { reasonCode, additionalInfo } };
}

/**
 * Checks a profile's own content (independent of what else is stored) and returns a rejection, or the parsed
 * StoredProfile. Reason codes follow the OCPP 2.x reason-code list.
 */
export function checkProfile(
  evseId: number, p: ChargingProfile, limits: SmartChargingLimits,
): SetChargingProfileResult | StoredProfile {
  // K01.FR.22: ChargingStationExternalConstraints is set by an EMS on the station side, never by the CSMS.
  if (p.chargingProfilePurpose === 'ChargingStationExternalConstraints') {
    return rejected('InvalidValue', 'ChargingStationExternalConstraints cannot be set by the CSMS');
  }
  // K01.FR.120: 2.1's additional purposes only when listed in SmartChargingCtrlr.SupportedAdditionalPurposes.
  if (p.chargingProfilePurpose === 'PriorityCharging' || p.chargingProfilePurpose === 'LocalGeneration') {
    return rejected('UnsupportedPurpose');
  }
  // K01.FR.121: Dynamic profiles only with SmartChargingCtrlr.SupportsFeature[DynamicProfiles] = true.
  if (p.chargingProfileKind === 'Dynamic') return rejected('UnsupportedKind');
  if (!Number.isInteger(p.stackLevel) || p.stackLevel < 0 || p.stackLevel > limits.maxStackLevel) {
    return rejected('InvalidStackLevel', `stackLevel must be 0..${limits.maxStackLevel}`);
  }
  if (p.chargingProfilePurpose === 'ChargingStationMaxProfile') {
    if (evseId !== 0) return rejected('InvalidValue', 'ChargingStationMaxProfile only on evseId 0');
    if (p.chargingProfileKind === 'Relative') return rejected('InvalidValue', 'ChargingStationMaxProfile cannot be Relative');
  }
  if (p.chargingProfilePurpose === 'TxProfile' && evseId === 0) {
    return rejected('InvalidValue', 'TxProfile needs an evseId > 0');
  }
  if (p.chargingProfileKind === 'Recurring' && p.recurrencyKind !== 'Daily' && p.recurrencyKind !== 'Weekly') {
    return rejected('InvalidSchedule', 'Recurring profile without recurrencyKind');
  }
  const schedules = p.chargingSchedule;
  if (!Array.isArray(schedules) || schedules.length === 0) return rejected('InvalidSchedule', 'no chargingSchedule');
  for (const s of schedules) {
    const problem = checkSchedule(p.chargingProfileKind, s, limits);
    if (problem) return rejected('InvalidSchedule', problem);
  }
  const validFromMs = p.validFrom === undefined ? -Infinity : Date.parse(p.validFrom);
  const validToMs = p.validTo === undefined ? Infinity : Date.parse(p.validTo);
  if (Number.isNaN(validFromMs) || Number.isNaN(validToMs) || validToMs <= validFromMs) {
    return rejected('InvalidValue', 'bad validFrom/validTo');
  }
  // The first schedule is the one in force; 2.1 allows up to three only for ISO 15118 schedule selection.
  const first = schedules[0]!;
  return {
    evseId,
    profile: p,
    validFromMs,
    validToMs,
    startMs: first.startSchedule === undefined ? NaN : Date.parse(first.startSchedule),
    durationMs: typeof first.duration === 'number' && first.duration > 0 ? first.duration * 1000 : Infinity,
    recurrenceMs: p.chargingProfileKind !== 'Recurring' ? 0 : p.recurrencyKind === 'Weekly' ? 7 * DAY_MS : DAY_MS,
  };
}

function checkSchedule(kind: ChargingProfileKind, s: ChargingSchedule, limits: SmartChargingLimits): string | null {
  // K01.FR.26: the unit must be one of SmartChargingCtrlr.RateUnit (A,W here).
  if (s.chargingRateUnit !== 'A' && s.chargingRateUnit !== 'W') return 'unsupported chargingRateUnit';
  const periods = s.chargingSchedulePeriod;
  if (!Array.isArray(periods) || periods.length === 0) return 'no chargingSchedulePeriod';
  if (periods.length > limits.maxPeriods) return `more than ${limits.maxPeriods} periods`;
  // K01.FR.31: the first period starts at 0; K01.FR.35: start times strictly increase.
  if (periods[0]!.startPeriod !== 0) return 'first startPeriod must be 0';
  for (let i = 1; i < periods.length; i++) {
    if (!(periods[i]!.startPeriod > periods[i - 1]!.startPeriod)) return 'startPeriod not increasing';
  }
  for (const period of periods) {
    if (period.limit !== undefined && !(period.limit >= 0)) return 'negative limit';
  }
  // K01.FR.40 / K01.FR.41: startSchedule is required except for Relative, where it is not allowed.
  if (kind === 'Relative') {
    if (s.startSchedule !== undefined) return 'Relative schedule with startSchedule';
  } else if (s.startSchedule === undefined || Number.isNaN(Date.parse(s.startSchedule))) {
    return `${kind} schedule without a valid startSchedule`;
  }
  return null;
}

/** Whether two stored profiles' validity intervals overlap (absent bounds are open). */
export function validityOverlaps(a: StoredProfile, b: StoredProfile): boolean {
  return a.validFromMs < b.validToMs && b.validFromMs < a.validToMs;
}

/**
 * The period of `e` in force at `t`, or undefined when the profile is not valid or its schedule not running.
 * `anchorMs` is where a Relative schedule starts: the transaction start, or the time of the request.
 */
export function periodAt(e: StoredProfile, t: number, anchorMs: number): ChargingSchedulePeriod | undefined {
  if (t < e.validFromMs || t >= e.validToMs) return undefined;
  let start = e.profile.chargingProfileKind === 'Relative' ? anchorMs : e.startMs;
  if (e.recurrenceMs > 0) start += Math.floor((t - start) / e.recurrenceMs) * e.recurrenceMs;
  const offsetMs = t - start;
  if (offsetMs < 0 || offsetMs >= e.durationMs) return undefined;
  const periods = e.profile.chargingSchedule[0]!.chargingSchedulePeriod;
  const offsetS = offsetMs / 1000;
  let found: ChargingSchedulePeriod | undefined;
  for (let i = 0; i < periods.length; i++) {
    if (periods[i]!.startPeriod <= offsetS) found = periods[i];
    else break;
  }
  return found;
}

/**
 * Appends to `out` the instants in [fromMs, toMs) where `e`'s period could change: validity bounds, period
 * starts and schedule ends (every recurrence inside the window for Recurring profiles).
 */
export function changePoints(e: StoredProfile, fromMs: number, toMs: number, anchorMs: number, out: number[]): void {
  const push = (t: number): void => { if (t > fromMs && t < toMs) out.push(t); };
  push(e.validFromMs);
  push(e.validToMs);
  const periods = e.profile.chargingSchedule[0]!.chargingSchedulePeriod;
  const base = e.profile.chargingProfileKind === 'Relative' ? anchorMs : e.startMs;
  let first = 0;
  let last = 0;
  if (e.recurrenceMs > 0) {
    first = Math.floor((fromMs - base) / e.recurrenceMs);
    last = Math.floor((toMs - base) / e.recurrenceMs);
  }
  for (let k = first; k <= last; k++) {
    const s = base + k * e.recurrenceMs;
    push(s);
    for (const p of periods) push(s + p.startPeriod * 1000);
    if (e.durationMs !== Infinity) push(s + e.durationMs);
  }
}
