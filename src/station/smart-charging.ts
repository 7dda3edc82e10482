import type { EvseModel } from '../scenario/spec.js';
import { isoTime } from '../util/clock.js';
import {
  changePoints, checkProfile, DEFAULT_SMART_CHARGING_LIMITS, periodAt, rejected, validityOverlaps,
  type ChargingProfile, type ChargingProfilePurpose, type ChargingRateUnit, type ChargingSchedulePeriod,
  type SetChargingProfileResult, type SmartChargingLimits, type StoredProfile,
} from './charging-profile.js';

export * from './charging-profile.js';

/** GetChargingProfilesRequest.chargingProfile (ChargingProfileCriterionType). */
export interface ChargingProfileCriterion {
  chargingProfilePurpose?: ChargingProfilePurpose;
  stackLevel?: number;
  chargingProfileId?: number[];
  chargingLimitSource?: string[];
}

/** ClearChargingProfileRequest. */
export interface ClearChargingProfileRequest {
  chargingProfileId?: number;
  chargingProfileCriteria?: { evseId?: number; chargingProfilePurpose?: ChargingProfilePurpose; stackLevel?: number };
}

/** The profiles of one EVSE for one ReportChargingProfilesRequest. */
export interface ReportedProfiles {
  evseId: number;
  chargingLimitSource: 'CSO';
  chargingProfile: ChargingProfile[];
}

/** GetCompositeScheduleResponse.schedule (CompositeScheduleType). */
export interface CompositeSchedule {
  evseId: number;
  duration: number;
  scheduleStart: string;
  chargingRateUnit: ChargingRateUnit;
  chargingSchedulePeriod: { startPeriod: number; limit: number; numberPhases?: number }[];
}

/** ProfileStore.activePeriod(): the period in force and how to convert its values to W. */
export interface ActivePeriod {
  profileId: number;
  purpose: ChargingProfilePurpose;
  period: ChargingSchedulePeriod;
  wattsPerUnit: number;
}

/** The grid connection of a station with only DC EVSEs is still three-phase AC at this voltage. */
const GRID_VOLTAGE_V = 230;
const GRID_PHASES = 3;
/** Upper bound of periods in one composite schedule. */
const MAX_COMPOSITE_PERIODS = 1024;

/**
 * The charging profiles installed on one station (use cases K01 set, K08 composite, K09 get, K10 clear), and the
 * limit they impose at a given time. Pure: time is passed in. Holds nothing until a profile or transaction
 * arrives, so idle stations cost a few words; `evses` is the group's shared array.
 */
export class ProfileStore {
  private readonly evses: readonly EvseModel[];
  private readonly limits: SmartChargingLimits;
  private entries: StoredProfile[] | null = null;
  /** Running transaction per EVSE (index = evseId - 1). */
  private txIds: (string | undefined)[] | null = null;
  private txStarts: number[] | null = null;
  private pendingRemote: { evseId: number; profile: ChargingProfile } | null = null;

  constructor(evses: readonly EvseModel[], limits: SmartChargingLimits = DEFAULT_SMART_CHARGING_LIMITS) {
    this.evses = evses;
    this.limits = limits;
  }

  /** Number of installed profiles (SmartChargingCtrlr.Entries[ChargingProfiles]). */
  get size(): number { return this.entries?.length ?? 0; }

  /**
   * A transaction started on `evseId`: TxProfiles may now name it, and Relative schedules start at `startMs`.
   * A profile left by setRemoteStartProfile for this EVSE is installed for it now.
   */
  setTransaction(evseId: number, transactionId: string, startMs: number): void {
    if (evseId < 1 || evseId > this.evses.length) return;
    if (!this.txIds) {
      this.txIds = new Array<string | undefined>(this.evses.length).fill(undefined);
      this.txStarts = new Array<number>(this.evses.length).fill(NaN);
    }
    this.txIds[evseId - 1] = transactionId;
    this.txStarts![evseId - 1] = startMs;
    const pending = this.pendingRemote;
    if (pending?.evseId === evseId) {
      this.pendingRemote = null;
      this.install(evseId, { ...pending.profile, transactionId });
    }
  }

  /**
   * RequestStartTransactionRequest.chargingProfile (F01/K05): a TxProfile without transactionId for the
   * transaction about to start on `evseId`; kept until setTransaction() names it (a later call replaces it).
   * Rejected results mean the RequestStartTransaction should be answered Rejected. When the request authorizes
   * a transaction that already runs, install() the profile with that transactionId instead.
   */
  setRemoteStartProfile(evseId: number, profile: ChargingProfile): SetChargingProfileResult {
    if (!Number.isInteger(evseId) || evseId < 1 || evseId > this.evses.length) return rejected('UnknownEvse');
    if (profile.chargingProfilePurpose !== 'TxProfile') return rejected('InvalidValue', 'only a TxProfile may come with RequestStartTransaction');
    const checked = checkProfile(evseId, profile, this.limits);
    if (!('profile' in checked)) return checked;
    this.pendingRemote = { evseId, profile };
    return { status: 'Accepted' };
  }

  /** The transaction on `evseId` ended: its TxProfiles go with it (they only live as long as it does). */
  endTransaction(evseId: number): void {
    const txId = this.txIds?.[evseId - 1];
    if (txId === undefined) return;
    this.txIds![evseId - 1] = undefined;
    this.txStarts![evseId - 1] = NaN;
    this.remove((e) => e.profile.chargingProfilePurpose === 'TxProfile' && e.profile.transactionId === txId);
  }

  /** SetChargingProfileRequest → SetChargingProfileResponse. */
  install(evseId: number, profile: ChargingProfile): SetChargingProfileResult {
    if (!Number.isInteger(evseId) || evseId < 0 || evseId > this.evses.length) return rejected('UnknownEvse');
    const checked = checkProfile(evseId, profile, this.limits);
    if (!('profile' in checked)) return checked;
    const p = profile;
    if (p.chargingProfilePurpose === 'TxProfile') {
      const running = this.txIds?.[evseId - 1];
      if (p.transactionId === undefined || running === undefined || running !== p.transactionId) {
        return rejected('TxNotFound', `no transaction ${p.transactionId ?? '(none given)'} on EVSE ${evseId}`);
      }
    }
    const entries = this.entries ?? [];
    for (const e of entries) {
      if (e.profile.id === p.id) continue; // K01.FR.05: same id replaces the stored profile
      const q = e.profile;
      if (q.chargingProfilePurpose !== p.chargingProfilePurpose || q.stackLevel !== p.stackLevel) continue;
      const sameEvse = e.evseId === evseId;
      // A station-wide TxDefaultProfile and an EVSE-specific one on the same stackLevel would be ambiguous too.
      const txDefaultClash = p.chargingProfilePurpose === 'TxDefaultProfile' && (e.evseId === 0) !== (evseId === 0);
      if ((sameEvse && validityOverlaps(e, checked)) || txDefaultClash) {
        return rejected('DuplicateProfile', `profile ${q.id} has the same purpose and stackLevel`);
      }
    }
    const kept = entries.filter((e) => e.profile.id !== p.id);
    if (kept.length >= this.limits.maxProfiles) return rejected('OutOfStorage', `at most ${this.limits.maxProfiles} profiles`);
    kept.push(checked);
    this.entries = kept;
    return { status: 'Accepted' };
  }

  /** ClearChargingProfileRequest → status: Accepted if anything was removed, else Unknown. */
  clear(req: ClearChargingProfileRequest): { status: 'Accepted' | 'Unknown' } {
    const id = req.chargingProfileId;
    const c = req.chargingProfileCriteria;
    const removed = id !== undefined
      ? this.remove((e) => e.profile.id === id)
      : this.remove((e) => c === undefined || (
        (c.evseId === undefined || e.evseId === c.evseId)
        && (c.chargingProfilePurpose === undefined || e.profile.chargingProfilePurpose === c.chargingProfilePurpose)
        && (c.stackLevel === undefined || e.profile.stackLevel === c.stackLevel)));
    return { status: removed > 0 ? 'Accepted' : 'Unknown' };
  }

  /**
   * GetChargingProfilesRequest: the matching profiles grouped per EVSE, one group per ReportChargingProfiles
   * (empty = answer NoProfiles). `evseId` restricts to that EVSE (0 = the station-wide ones only).
   */
  get(criterion: ChargingProfileCriterion, evseId?: number): ReportedProfiles[] {
    const groups = new Map<number, ChargingProfile[]>();
    for (const e of this.entries ?? []) {
      const p = e.profile;
      if (evseId !== undefined && e.evseId !== evseId) continue;
      if (criterion.chargingProfilePurpose !== undefined && p.chargingProfilePurpose !== criterion.chargingProfilePurpose) continue;
      if (criterion.stackLevel !== undefined && p.stackLevel !== criterion.stackLevel) continue;
      if (criterion.chargingProfileId !== undefined && !criterion.chargingProfileId.includes(p.id)) continue;
      // Every profile here came from the CSMS, i.e. the CSO.
      if (criterion.chargingLimitSource !== undefined && !criterion.chargingLimitSource.includes('CSO')) continue;
      let g = groups.get(e.evseId);
      if (!g) groups.set(e.evseId, (g = []));
      g.push(p);
    }
    return [...groups.keys()].sort((a, b) => a - b)
      .map((id) => ({ evseId: id, chargingLimitSource: 'CSO' as const, chargingProfile: groups.get(id)! }));
  }

  /** Drops profiles whose validTo has passed; returns how many. */
  purgeExpired(nowMs: number): number {
    return this.remove((e) => e.validToMs <= nowMs);
  }

  /**
   * The power limit (W) in force on `evseId` at `nowMs`, undefined if nothing limits it. Within a purpose the
   * valid profile with the highest stackLevel wins; TxProfile overrides TxDefaultProfile; the result is capped
   * by ChargingStationMaxProfile (station total, applied as a cap). `evseId` 0 gives the station cap.
   * `txStartMs` anchors Relative schedules (default: the transaction set with setTransaction, else now).
   */
  limitAt(evseId: number, nowMs: number, txStartMs?: number): number | undefined {
    if (!(evseId >= 0 && evseId <= this.evses.length)) return undefined;
    const w = evseId === 0 ? this.stationCapW(nowMs) : this.evseLimitW(evseId, nowMs, this.anchor(evseId, txStartMs, nowMs));
    return w === Infinity || Number.isNaN(w) ? undefined : w;
  }

  /**
   * GetCompositeScheduleRequest → the `schedule` of the response, or undefined for an unknown EVSE (answer
   * Rejected). Limits never exceed the EVSE rating (evseId 0: the sum of the EVSEs, capped by the station
   * profile); starts at `nowMs` truncated to the second.
   */
  compositeSchedule(
    evseId: number, durationS: number, nowMs: number, unit: ChargingRateUnit = 'W', txStartMs?: number,
  ): CompositeSchedule | undefined {
    if (!Number.isInteger(evseId) || evseId < 0 || evseId > this.evses.length) return undefined;
    const duration = Math.max(0, Math.floor(durationS));
    const start = Math.floor(nowMs / 1000) * 1000;
    const end = start + duration * 1000;
    const anchors = this.evses.map((_e, i) => this.anchor(i + 1, evseId === i + 1 ? txStartMs : undefined, start));
    const points = [start];
    for (const e of this.entries ?? []) {
      if (e.evseId !== 0) changePoints(e, start, end, anchors[e.evseId - 1]!, points);
      else if (evseId !== 0) changePoints(e, start, end, anchors[evseId - 1]!, points);
      // A station-wide Relative profile runs from each EVSE's own transaction start.
      else for (const a of anchors.length > 0 ? anchors : [start]) changePoints(e, start, end, a, points);
    }
    points.sort((a, b) => a - b);
    const periods: CompositeSchedule['chargingSchedulePeriod'] = [];
    const phases = this.phasesOf(evseId);
    let prev = NaN;
    for (const t of points) {
      const startPeriod = Math.round((t - start) / 1000);
      if (periods.length > 0 && startPeriod <= periods[periods.length - 1]!.startPeriod) continue;
      const w = evseId === 0 ? this.stationCompositeW(t, anchors) : Math.min(this.evseLimitW(evseId, t, anchors[evseId - 1]!), this.evses[evseId - 1]!.maxPowerW);
      const limit = round1(unit === 'W' ? w : w / this.wattsPerAmp(evseId, phases));
      if (limit === prev) continue;
      prev = limit;
      periods.push(phases > 0 ? { startPeriod, limit, numberPhases: phases } : { startPeriod, limit });
      if (periods.length >= MAX_COMPOSITE_PERIODS) break;
    }
    return { evseId, duration, scheduleStart: isoTime(start), chargingRateUnit: unit, chargingSchedulePeriod: periods };
  }

  private anchor(evseId: number, txStartMs: number | undefined, fallbackMs: number): number {
    if (txStartMs !== undefined) return txStartMs;
    const s = this.txStarts?.[evseId - 1];
    return s === undefined || Number.isNaN(s) ? fallbackMs : s;
  }

  /** Limit (W) on an EVSE from Tx/TxDefault profiles and the station cap; Infinity = unlimited. */
  private evseLimitW(evseId: number, t: number, anchorMs: number): number {
    let w = NaN;
    if (this.txIds?.[evseId - 1] !== undefined) w = this.best('TxProfile', evseId, t, anchorMs, false);
    if (Number.isNaN(w)) w = this.best('TxDefaultProfile', evseId, t, anchorMs, true);
    const base = Number.isNaN(w) ? Infinity : w;
    return Math.min(base, this.stationCapW(t));
  }

  /** ChargingStationMaxProfile at `t` (W); Infinity when none is in force. */
  private stationCapW(t: number): number {
    const w = this.best('ChargingStationMaxProfile', 0, t, t, false);
    return Number.isNaN(w) ? Infinity : w;
  }

  private stationCompositeW(t: number, anchors: readonly number[]): number {
    let sum = 0;
    for (let i = 0; i < this.evses.length; i++) {
      sum += Math.min(this.evseLimitW(i + 1, t, anchors[i]!), this.evses[i]!.maxPowerW);
    }
    return Math.min(sum, this.stationCapW(t));
  }

  /**
   * The limit (W) of the highest-stackLevel profile of `purpose` running at `t` on `evseId` (and, when
   * `withStationWide`, on evseId 0; on a tie the EVSE's own profile wins). NaN = no such profile running;
   * Infinity = it runs a period without a limit.
   */
  private best(purpose: ChargingProfilePurpose, evseId: number, t: number, anchorMs: number, withStationWide: boolean): number {
    const hit = this.bestEntry(purpose, evseId, t, anchorMs, withStationWide);
    return hit ? this.periodW(hit.entry, hit.period, evseId) : NaN;
  }

  /** The profile and period behind best() (undefined = no such profile running). */
  private bestEntry(
    purpose: ChargingProfilePurpose, evseId: number, t: number, anchorMs: number, withStationWide: boolean,
  ): { entry: StoredProfile; period: ChargingSchedulePeriod } | undefined {
    const entries = this.entries;
    if (!entries) return undefined;
    let level = -1;
    let own = false;
    let result: { entry: StoredProfile; period: ChargingSchedulePeriod } | undefined;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.profile.chargingProfilePurpose !== purpose) continue;
      const isOwn = e.evseId === evseId;
      if (!isOwn && !(withStationWide && e.evseId === 0)) continue;
      const sl = e.profile.stackLevel;
      if (sl < level || (sl === level && (own || !isOwn))) continue;
      const period = periodAt(e, t, anchorMs);
      if (!period) continue;
      level = sl;
      own = isOwn;
      result = { entry: e, period };
    }
    return result;
  }

  // ---- V2X (FLOWS.md §5.2): the whole active period, not only its limit, and when it may change next. ----

  /**
   * The period in force on `evseId` (> 0) at `t` from a TxProfile (while a transaction runs) or else a
   * TxDefaultProfile — the purposes that may carry V2X operation modes — with `wattsPerUnit` converting its
   * values (limit, setpoint, dischargeLimit) to W. Undefined when no such profile runs.
   */
  activePeriod(evseId: number, t: number, txStartMs?: number): ActivePeriod | undefined {
    if (!(evseId >= 1 && evseId <= this.evses.length)) return undefined;
    const anchorMs = this.anchor(evseId, txStartMs, t);
    let hit = this.txIds?.[evseId - 1] !== undefined ? this.bestEntry('TxProfile', evseId, t, anchorMs, false) : undefined;
    hit ??= this.bestEntry('TxDefaultProfile', evseId, t, anchorMs, true);
    if (!hit) return undefined;
    const p = hit.period;
    const unitW = hit.entry.profile.chargingSchedule[0]!.chargingRateUnit === 'W';
    const phases = this.phasesOf(evseId);
    const wattsPerUnit = unitW ? 1 : this.wattsPerAmp(evseId, phases === 0 ? 0 : Math.min(p.numberPhases ?? 3, phases));
    return { profileId: hit.entry.profile.id, purpose: hit.entry.profile.chargingProfilePurpose, period: p, wattsPerUnit };
  }

  /** The first instant after `afterMs` (within `horizonMs`) at which a profile on `evseId` may change period; Infinity if none. */
  nextChangeMs(evseId: number, afterMs: number, txStartMs?: number, horizonMs = 86_400_000): number {
    const entries = this.entries;
    if (!entries) return Infinity;
    const anchorMs = this.anchor(evseId, txStartMs, afterMs);
    const points: number[] = [];
    for (const e of entries) if (e.evseId === evseId || e.evseId === 0) changePoints(e, afterMs, afterMs + horizonMs, anchorMs, points);
    let next = Infinity;
    for (const t of points) if (t > afterMs && t < next) next = t;
    return next;
  }

  /** A period's limit in W for `evseId` (A × phases × V on AC, A × V on DC; the grid connection for evse 0). */
  private periodW(e: StoredProfile, p: ChargingSchedulePeriod, evseId: number): number {
    if (p.limit === undefined) return Infinity;
    if (e.profile.chargingSchedule[0]!.chargingRateUnit === 'W') return p.limit;
    const target = e.profile.chargingProfilePurpose === 'ChargingStationMaxProfile' ? 0 : evseId;
    const wired = this.phasesOf(target);
    // numberPhases defaults to 3 (K01); an EVSE cannot draw on more phases than it has.
    const phases = wired === 0 ? 0 : Math.min(p.numberPhases ?? 3, wired);
    return p.limit * this.wattsPerAmp(target, phases);
  }

  /** AC phases of an EVSE (0 for DC); for evse 0 the grid connection's. */
  private phasesOf(evseId: number): number {
    if (evseId === 0) return GRID_PHASES;
    const m = this.evses[evseId - 1]!;
    return m.current === 'AC' ? m.phases : 0;
  }

  private wattsPerAmp(evseId: number, phases: number): number {
    if (evseId === 0) {
      const ac = this.evses.find((m) => m.current === 'AC');
      return (ac?.voltageV ?? GRID_VOLTAGE_V) * phases;
    }
    const m = this.evses[evseId - 1]!;
    return m.current === 'AC' ? m.voltageV * Math.max(1, phases) : m.voltageV;
  }

  private remove(match: (e: StoredProfile) => boolean): number {
    const entries = this.entries;
    if (!entries) return 0;
    const kept = entries.filter((e) => !match(e));
    const n = entries.length - kept.length;
    this.entries = kept.length === 0 ? null : kept;
    return n;
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
