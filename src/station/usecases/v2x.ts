/**
 * Behaviour `v2x`: bidirectional EVs (OCPP 2.1 block Q, FLOWS.md §5). Per EVSE: the car's BPT parameters at
 * plug-in, NotifyEVChargingNeeds with v2xChargingParameters once authorized (ISO 15118-20 ChargeParameterDiscovery
 * follows authorization), a power that follows the active schedule period exactly — re-evaluated at every period
 * boundary and SoC bound, so power is constant between TransactionEvents — `transactionInfo.operationMode` with
 * trigger OperationModeChanged on every mode change, and export measurands. Per station: SetChargingProfile with
 * V2X checks, NotifyAllowedEnergyTransfer, AFRRSignal and DER control (der.ts). On a 2.0.1 connection the V2X
 * parts are skipped and counted (`usecase_skipped_201`): needs go out as ISO 15118-2 needs, no operationMode.
 */
import { isoTime } from '../../util/clock.js';
import { Rng, mixSeed } from '../../util/rng.js';
import type { TimelineTarget } from '../../util/timeline.js';
import type { Payload } from '../../ocpp/session.js';
import type { EvseModel } from '../../scenario/spec.js';
import { draw } from '../draw.js';
import type { Evse } from '../evse.js';
import type { Measurand, ReadingContext } from '../meter.js';
import type { EvsePhysics } from '../physics.js';
import type { Station } from '../station.js';
import { V2xPhysics, type OperationMode, type V2xEvParams } from '../v2x-physics.js';
import { DER_HANDLERS } from './der.js';
import type { EvseHooks, StationCallHandler, UseCase } from './index.js';
import { checkV2xProfile, controlOf } from './v2x-profile.js';
import { v2xStation } from './v2x-station.js';

const T_CHANGE = 1;
/** Triggers an event caused by a mode change may carry; they become OperationModeChanged (FLOWS.md §5.1). */
const MODE_TRIGGERS = new Set(['ChargingRateChanged', 'ChargingStateChanged', 'MeterValuePeriodic']);
const BPT_MODES = new Set(['AC_BPT', 'AC_BPT_DER', 'DC_BPT', 'DC_ACDP_BPT']);
/** evMinCurrent of an AC EV (IEC 61851: 6 A). */
const AC_MIN_CURRENT_A = 6;

const withExport = new Map<readonly Measurand[], readonly Measurand[]>();
const withExportAndSetpoint = new Map<readonly Measurand[], readonly Measurand[]>();
const withRegister = new Map<readonly Measurand[], readonly Measurand[]>();

function extend(cache: Map<readonly Measurand[], readonly Measurand[]>, base: readonly Measurand[], extra: readonly Measurand[]): readonly Measurand[] {
  let m = cache.get(base);
  if (!m) {
    m = Object.freeze([...base, ...extra.filter((x) => !base.includes(x))]);
    if (cache.size > 64) cache.clear();
    cache.set(base, m);
  }
  return m;
}

const r = Math.round;

/** The per-EVSE hooks of a v2x station. */
export class V2xEvse implements EvseHooks, TimelineTarget {
  readonly evse: Evse;
  private readonly rng: Rng;
  private physics!: V2xPhysics;
  private params: V2xEvParams | null = null;
  private txId: string | undefined;
  private departMs = NaN;
  private startExportWh = 0;
  /** allowedEnergyTransfer from the CSMS for this transaction (NotifyAllowedEnergyTransfer); null = not restricted. */
  private allowed: readonly string[] | null = null;
  private reportedMode: OperationMode = 'ChargingOnly';
  /** A change of the BPT permission waiting for the energy so far to be settled under the old one. */
  private pendingBpt: boolean | undefined = undefined;
  private token = -1;

  constructor(evse: Evse) {
    this.evse = evse;
    this.rng = new Rng(mixSeed(evse.station.ctx.spec.seed, evse.station.plan.index, 200 + evse.id));
  }

  private get st(): Station { return this.evse.station; }

  createPhysics(model: EvseModel, registerWh: number): EvsePhysics {
    // A used bidirectional meter: some energy was already fed back before the run.
    this.physics = new V2xPhysics(model, registerWh, Math.round(this.rng.uniform(0, 1_000_000)));
    return this.physics;
  }

  onOnline(): void {
    v2xStation(this.st).onOnline();
  }

  onPlugIn(stayMs: number): void {
    const tx = this.evse.tx;
    if (!tx) return;
    const g = this.st.plan.group.v2x;
    this.txId = tx.id;
    this.params = g ? {
      maxDischargePowerW: Math.min(draw(g.dischargePowerW, this.rng), this.evse.model.maxPowerW), minSocPct: g.minSocPct, maxSocPct: g.maxSocPct,
    } : null;
    this.physics.setV2x(this.params);
    this.departMs = this.st.nowMs() + stayMs;
    this.startExportWh = this.physics.exportRegisterWh;
    this.allowed = null;
    this.reportedMode = 'ChargingOnly';
    this.pendingBpt = undefined;
  }

  onAuthorized(): void {
    void this.sendNeeds();
  }

  limitAt(atMs: number): number | undefined {
    const e = this.evse;
    const tx = e.tx!;
    const st = this.st;
    const limitW = st.profiles.limitAt(e.id, atMs, tx.startedMs);
    const control = controlOf(st.profiles.activePeriod(e.id, atMs, tx.startedMs));
    const v = v2xStation(st);
    if (this.pendingBpt !== undefined) { this.physics.setBidirectional(this.pendingBpt); this.pendingBpt = undefined; }
    this.physics.setControl(control, v.grid, this.params ? v.dischargeCapW(this.params.maxDischargePowerW, atMs) : Infinity);
    this.physics.energize(true, limitW);
    // Re-evaluate exactly when the schedule changes period or the battery reaches a V2X bound.
    const next = Math.min(st.profiles.nextChangeMs(e.id, atMs, tx.startedMs), atMs + this.physics.msUntilBound());
    st.ctx.timeline.cancel(this.token);
    this.token = next === Infinity ? -1 : st.ctx.timeline.after(Math.max(0, next - atMs), this, T_CHANGE);
    return limitW;
  }

  onTimer(): void {
    this.token = -1;
    if (this.evse.tx && this.evse.tx.id === this.txId) this.evse.onLimitChanged();
  }

  decorate(p: Payload): void {
    if (this.st.version !== '2.1' || p.eventType === 'Started') return;
    const mode = this.physics.mode;
    if (mode === 'Idle' && this.physics.controlInForce.evseSleep) p.evseSleep = true;
    if (mode === this.reportedMode) return;
    this.reportedMode = mode;
    p.transactionInfo.operationMode = mode;
    if (p.eventType === 'Updated' && MODE_TRIGGERS.has(p.triggerReason)) p.triggerReason = 'OperationModeChanged';
    this.st.ctx.sink.count('v2x_mode_changes');
  }

  measurands(context: ReadingContext, base: readonly Measurand[]): readonly Measurand[] {
    if (context === 'Transaction.Begin' || context === 'Transaction.End') return extend(withRegister, base, ['Energy.Active.Export.Register']);
    // Power.Active.Setpoint is 2.1-only (FLOWS.md §1.8: fewer measurands in 2.0.1).
    return this.st.version === '2.1'
      ? extend(withExportAndSetpoint, base, ['Power.Active.Export', 'Energy.Active.Export.Register', 'Power.Active.Setpoint'])
      : extend(withExport, base, ['Power.Active.Export', 'Energy.Active.Export.Register']);
  }

  onEnded(): void {
    const exported = this.physics.exportRegisterWh - this.startExportWh;
    if (exported > 0) {
      this.st.ctx.sink.add('energy_export_wh', exported);
      this.st.ctx.sink.count('v2x_discharge_sessions');
    }
    this.st.ctx.timeline.cancel(this.token);
    this.token = -1;
    this.txId = undefined;
    this.params = null;
  }

  /** NotifyAllowedEnergyTransfer accepted (Q02): renegotiate with the EV and send fresh needs. */
  onAllowedEnergyTransfer(allowed: readonly string[]): void {
    this.allowed = allowed;
    if (!allowed.some((m) => BPT_MODES.has(m))) this.setBidirectional(false);
    void this.sendNeeds();
  }

  /**
   * Allows or withholds discharging from now on. Power is settled first (through the EVSE), so the change is
   * never applied to the interval before it; in ChargingOnly it changes nothing and applies at once.
   */
  private setBidirectional(on: boolean): void {
    if (this.physics.isBidirectional === on) return;
    if (this.physics.mode === 'ChargingOnly' || !this.evse.tx) { this.physics.setBidirectional(on); return; }
    this.pendingBpt = on;
    this.evse.onLimitChanged();
  }

  /** Whether the period in force now carries a v2xSignalWattCurve (AFRRSignal needs one). */
  hasSignalCurve(atMs: number): boolean {
    const tx = this.evse.tx;
    if (!tx || tx.id !== this.txId) return false;
    const curve = this.st.profiles.activePeriod(this.evse.id, atMs, tx.startedMs)?.period.v2xSignalWattCurve;
    return Array.isArray(curve) && curve.length > 0;
  }

  get transactionId(): string | undefined { return this.txId; }

  /**
   * NotifyEVChargingNeeds (FLOWS.md §4.5, §5.1). 2.1: DC_BPT/AC_BPT with v2xChargingParameters, and the answer
   * decides: Accepted/Processing/NoChargingProfile → bidirectional transfer allowed; Rejected → the transaction
   * ends (AbnormalCondition, ReqEnergyTransferRejected). 2.0.1: ISO 15118-2 needs, charging only.
   */
  private async sendNeeds(): Promise<void> {
    const st = this.st;
    const txId = this.txId;
    if (!st.online || !txId || !this.params) return;
    const v21 = st.version === '2.1';
    const modes = this.modes();
    const bpt = v21 && (this.allowed === null || this.allowed.includes(modes.bpt));
    st.ctx.sink.count('v2x_needs_sent');
    if (!v21) st.ctx.sink.count('usecase_skipped_201');
    const out = await st.call('NotifyEVChargingNeeds', v21 ? this.needs21(bpt, modes) : this.needs201(modes.plain));
    if (!out.ok || this.txId !== txId) return;
    const status = out.payload.status;
    if (v21 && status === 'Rejected' && bpt) {
      st.ctx.sink.count('v2x_needs_rejected');
      this.evse.endSession('ReqEnergyTransferRejected', 'AbnormalCondition');
      return;
    }
    this.setBidirectional(bpt && status !== 'Rejected');
  }

  private modes(): { plain: string; bpt: string } {
    const m = this.evse.model;
    if (m.current === 'DC') return { plain: 'DC', bpt: 'DC_BPT' };
    return { plain: m.phases === 1 ? 'AC_single_phase' : 'AC_three_phase', bpt: 'AC_BPT' };
  }

  /** What the car tells the EVSE: energies (Wh) to its target, its V2X bounds and full, from the present SoC. */
  private energies(): { socPct: number; batteryWh: number; targetWh: number; maxChargeW: number } {
    const car = this.physics.car!;
    const socPct = this.physics.socPct ?? 0;
    const socWh = (socPct / 100) * car.batteryWh;
    const targetWh = Math.max(0, Math.min(car.targetEnergyWh - this.physics.sessionEnergyWh, car.batteryWh - socWh));
    return { socPct, batteryWh: car.batteryWh, targetWh, maxChargeW: Math.min(car.carMaxPowerW, this.evse.model.maxPowerW) };
  }

  private needs21(bpt: boolean, modes: { plain: string; bpt: string }): Payload {
    const p = this.params!;
    const { socPct, batteryWh, targetWh, maxChargeW } = this.energies();
    const toSoc = (pct: number): number => r(((pct - socPct) / 100) * batteryWh);
    const available = [modes.plain, modes.bpt].filter((m) => this.allowed === null || this.allowed.includes(m));
    const chargingNeeds: Payload = {
      requestedEnergyTransfer: bpt ? modes.bpt : modes.plain,
      availableEnergyTransfer: available.length > 0 ? available : [modes.plain],
      // ISO 15118-20 dynamic control: the CSMS's setpoints drive the EV, the EV states its needs.
      controlMode: 'DynamicControl',
      mobilityNeedsMode: 'EVCC',
      departureTime: isoTime(this.departMs),
      v2xChargingParameters: {
        minChargePower: 0, maxChargePower: r(maxChargeW), minDischargePower: 0, maxDischargePower: r(p.maxDischargePowerW),
        evTargetEnergyRequest: r(targetWh), evMinEnergyRequest: toSoc(p.minSocPct), evMaxEnergyRequest: toSoc(100),
        evMinV2XEnergyRequest: toSoc(p.minSocPct), evMaxV2XEnergyRequest: toSoc(p.maxSocPct),
        targetSoC: Math.min(100, Math.max(0, r(socPct + (targetWh / batteryWh) * 100))),
      },
    };
    if (this.evse.model.current === 'DC') chargingNeeds.dcChargingParameters = this.dcParameters();
    return { evseId: this.evse.id, maxScheduleTuples: 24, timestamp: this.st.now(), chargingNeeds };
  }

  private needs201(plain: string): Payload {
    const chargingNeeds: Payload = { requestedEnergyTransfer: plain, departureTime: isoTime(this.departMs) };
    if (this.evse.model.current === 'DC') chargingNeeds.dcChargingParameters = this.dcParameters();
    else {
      const m = this.evse.model;
      const { targetWh, maxChargeW } = this.energies();
      chargingNeeds.acChargingParameters = {
        energyAmount: r(targetWh), evMinCurrent: AC_MIN_CURRENT_A, evMaxCurrent: Math.max(AC_MIN_CURRENT_A, r(maxChargeW / (m.phases * m.voltageV))),
        evMaxVoltage: r(m.voltageV),
      };
    }
    return { evseId: this.evse.id, maxScheduleTuples: 24, chargingNeeds };
  }

  /** ISO 15118-2 DC parameters (integers, so they fit 2.0.1 too). */
  private dcParameters(): Payload {
    const { socPct, batteryWh, targetWh, maxChargeW } = this.energies();
    const v = this.physics.voltageV;
    return {
      evMaxCurrent: r(maxChargeW / v), evMaxVoltage: r(v), evMaxPower: r(maxChargeW), evEnergyCapacity: r(batteryWh),
      energyAmount: r(targetWh), stateOfCharge: Math.min(100, Math.max(0, r(socPct))),
    };
  }
}

function hooksOf(e: Evse): V2xEvse | undefined {
  return e.hooks instanceof V2xEvse ? e.hooks : undefined;
}

/** SetChargingProfile on a V2X station: the V2X checks of FLOWS.md §5.2, then K01 as on any station. */
function setChargingProfile(st: Station, p: Payload): Payload {
  if (st.version === '2.1') {
    const lbb = st.dm.value('V2XChargingCtrlr', 'LocalLoadBalancing', 'UpperThreshold') !== undefined;
    const bad = checkV2xProfile(p.chargingProfile, lbb);
    if (bad) { st.ctx.sink.count('v2x_profiles_rejected'); return bad as unknown as Payload; }
  }
  const res = st.profiles.install(p.evseId, p.chargingProfile);
  if (res.status === 'Accepted') queueMicrotask(() => { for (const e of st.evses) if (p.evseId === 0 || e.id === p.evseId) e.onLimitChanged(); });
  return res as unknown as Payload;
}

/** NotifyAllowedEnergyTransfer (Q02): Accepted for a running V2X transaction, which then renegotiates. */
function notifyAllowedEnergyTransfer(st: Station, p: Payload): Payload {
  const h = st.evses.map(hooksOf).find((x) => x?.transactionId !== undefined && x.transactionId === p.transactionId);
  if (!h) return { status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } };
  queueMicrotask(() => h.onAllowedEnergyTransfer(p.allowedEnergyTransfer));
  return { status: 'Accepted' };
}

/** AFRRSignal (FLOWS.md §5.2): Accepted when an active period has a v2xSignalWattCurve; applies from `timestamp`. */
function afrrSignal(st: Station, p: Payload): Payload {
  const now = st.nowMs();
  if (!st.evses.some((e) => hooksOf(e)?.hasSignalCurve(now))) {
    return { status: 'Rejected', statusInfo: { reasonCode: 'NoSignalWattCurve' } };
  }
  st.ctx.sink.count('afrr_signals');
  const at = Date.parse(p.timestamp);
  const signal = p.signal as number;
  queueMicrotask(() => v2xStation(st).scheduleAfrr(Number.isNaN(at) ? now : at, signal));
  return { status: 'Accepted' };
}

const V2X_HANDLERS: Readonly<Record<string, StationCallHandler>> = {
  SetChargingProfile: setChargingProfile,
  NotifyAllowedEnergyTransfer: notifyAllowedEnergyTransfer,
  AFRRSignal: afrrSignal,
};

/** The `v2x` behaviour (registered in usecases/index.ts). */
export const V2X_USE_CASE: UseCase = {
  sessions: true,
  evse: (e) => new V2xEvse(e),
  handlers: { ...V2X_HANDLERS, ...DER_HANDLERS },
};
