import type { EvseModel } from '../scenario/spec.js';
import { EvsePhysics, type EvParams } from './physics.js';

/** OperationModeEnumType (OCPP 2.1, FLOWS.md §5.2); absent in a period means `ChargingOnly`. */
export const OPERATION_MODES = [
  'Idle', 'ChargingOnly', 'CentralSetpoint', 'ExternalSetpoint', 'ExternalLimits', 'CentralFrequency', 'LocalFrequency',
  'LocalLoadBalancing',
] as const;
export type OperationMode = (typeof OPERATION_MODES)[number];

/** The bidirectional side of the plugged EV (ISO 15118-20 BPT parameters). */
export interface V2xEvParams {
  /** The EV's own maximum discharge power (W), ≥ 0. */
  maxDischargePowerW: number;
  /** V2X cycling range (%): discharging stops at `minSocPct`, setpoint charging at `maxSocPct`. */
  minSocPct: number;
  maxSocPct: number;
}

export interface FreqWattPoint { readonly frequency: number; readonly power: number }
export interface SignalWattPoint { readonly signal: number; readonly power: number }

/**
 * The control in force: the active charging-schedule period converted to W, with the sign convention of
 * FLOWS.md §5.2 (setpoint > 0 charge, < 0 discharge; `limitW` ≥ 0 caps charging, `dischargeLimitW` ≤ 0 caps
 * discharging).
 */
export interface V2xControl {
  readonly mode: OperationMode;
  readonly setpointW?: number;
  readonly limitW?: number;
  readonly dischargeLimitW?: number;
  readonly baselineW?: number;
  readonly freqWatt?: readonly FreqWattPoint[];
  readonly signalWatt?: readonly SignalWattPoint[];
  /** Idle: the EVSE switches its power electronics off (reported as TransactionEventRequest.evseSleep). */
  readonly evseSleep?: boolean;
}

/** What the station measures of the grid: its frequency and the last aFRR signal (AFRRSignalRequest). */
export interface GridSignals {
  readonly frequencyHz: number;
  readonly afrrSignal?: number;
}

export const CHARGING_ONLY: V2xControl = Object.freeze({ mode: 'ChargingOnly' });
export const NOMINAL_GRID: GridSignals = Object.freeze({ frequencyHz: 50 });

const MS_PER_H = 3_600_000;
const EPS_WH = 1e-6;

/** Piecewise-linear interpolation through points sorted by x, flat beyond the first and last point. */
export function interpolate(points: readonly { x: number; y: number }[], x: number): number {
  if (points.length === 0) return 0;
  if (x <= points[0]!.x) return points[0]!.y;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (x <= b.x) return b.x === a.x ? b.y : a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
  }
  return points[points.length - 1]!.y;
}

function bounded(p: number, c: V2xControl): number {
  if (c.limitW !== undefined && p > c.limitW) p = c.limitW;
  if (c.dischargeLimitW !== undefined && p < c.dischargeLimitW) p = c.dischargeLimitW;
  return p;
}

/**
 * The power (W, signed) a control asks for before the EV's and the EVSE's own bounds. `demandW` is what the EV
 * would draw by itself (charging towards its target). FLOWS.md §5.2: Central* follow `setpoint`; LocalFrequency
 * is `v2xBaseline` + the frequency-watt curve at the grid frequency + the signal-watt curve at the aFRR signal;
 * Idle transfers nothing. No local EMS is simulated, so External* charge as the EV wants (or follow a given
 * `setpoint`) within the period's limit/dischargeLimit.
 */
export function requestedPowerW(c: V2xControl, grid: GridSignals, demandW: number): number {
  switch (c.mode) {
    case 'Idle': return 0;
    case 'CentralSetpoint':
    case 'CentralFrequency': return bounded(c.setpointW ?? 0, c);
    case 'ExternalSetpoint': return bounded(c.setpointW ?? demandW, c);
    case 'ExternalLimits': return bounded(demandW, c);
    case 'LocalFrequency': {
      let p = c.baselineW ?? 0;
      if (c.freqWatt && c.freqWatt.length > 0) p += interpolate(c.freqWatt.map((q) => ({ x: q.frequency, y: q.power })), grid.frequencyHz);
      if (c.signalWatt && c.signalWatt.length > 0 && grid.afrrSignal !== undefined) {
        p += interpolate(c.signalWatt.map((q) => ({ x: q.signal, y: q.power })), grid.afrrSignal);
      }
      return p;
    }
    default: return Math.min(demandW, c.limitW ?? Infinity);
  }
}

/**
 * EvsePhysics for a bidirectional EV (FLOWS.md §5): signed power (charge > 0, discharge < 0) with two monotonic
 * registers — Energy.Active.Import.Register (the parent's `registerWh`) and Energy.Active.Export.Register — and
 * SoC that falls while discharging. In `ChargingOnly` (or without a BPT session) it is exactly EvsePhysics. In
 * the other modes power follows the control exactly, bounded only by the EVSE rating, the EV's maximum charge and
 * discharge power, the V2X SoC range and a DER discharge cap; no taper, so it is constant between control
 * changes and bounds, and the energy of each step is exactly P·Δt.
 */
export class V2xPhysics extends EvsePhysics {
  private v2x: V2xEvParams | null = null;
  private bidirectional = false;
  private control: V2xControl = CHARGING_ONLY;
  private grid: GridSignals = NOMINAL_GRID;
  private dischargeCapW = Infinity;
  private _exportWh = 0;
  private _signedW = 0;
  private _targetW: number | undefined = undefined;

  /** @param registerWh / exportRegisterWh: meter readings at start (registers only grow). */
  constructor(evse: EvseModel, registerWh = 0, exportRegisterWh = 0) {
    super(evse, registerWh);
    this._exportWh = exportRegisterWh;
  }

  /** Energy.Active.Export.Register (Wh): energy fed back to the grid, monotonic over the life of the EVSE. */
  get exportRegisterWh(): number { return this._exportWh; }
  /** Signed power now (W): > 0 charging, < 0 discharging. */
  get signedPowerW(): number { return this._signedW; }
  /** Power.Active.Export (W), never negative. (`powerW` is Power.Active.Import, never negative either.) */
  get exportPowerW(): number { return this._signedW < 0 ? -this._signedW : 0; }
  get exportCurrentA(): number { return this.toAmps(this.exportPowerW); }
  /** Power.Active.Setpoint (W, signed): what the control asks for; undefined in ChargingOnly. */
  get setpointW(): number | undefined { return this._targetW; }
  get mode(): OperationMode { return this.control.mode; }
  /** The control set last (ChargingOnly without one). */
  get controlInForce(): V2xControl { return this.control; }
  /** The plugged car (null without one). */
  get car(): Readonly<EvParams> | null { return this.ev; }
  get isBidirectional(): boolean { return this.bidirectional && this.v2x !== null; }

  /** The EV's BPT parameters (null: a charge-only EV); set after plugIn(). */
  setV2x(params: V2xEvParams | null): void {
    this.v2x = params;
    if (!params) this.bidirectional = false;
  }

  /** Whether a bidirectional transfer is allowed in this session (DC_BPT/AC_BPT negotiated, FLOWS.md §5.1). */
  setBidirectional(on: boolean): void {
    this.bidirectional = on && this.v2x !== null;
  }

  /**
   * The control for the steps that follow, and the grid it reads; `dischargeCapW` (≥ 0) is an extra cap on
   * discharge power (a DER LimitMaxDischarge control). Takes effect at the next refresh (energize / advance).
   */
  setControl(control: V2xControl, grid: GridSignals = NOMINAL_GRID, dischargeCapW = Infinity): void {
    this.control = control;
    this.grid = grid;
    this.dischargeCapW = dischargeCapW >= 0 ? dischargeCapW : 0;
  }

  override plugIn(ev: Parameters<EvsePhysics['plugIn']>[0]): void {
    this.v2x = null;
    this.bidirectional = false;
    this.control = CHARGING_ONLY;
    super.plugIn(ev);
  }

  override unplug(): void {
    this.v2x = null;
    this.bidirectional = false;
    this.control = CHARGING_ONLY;
    super.unplug();
  }

  /** Integrates `dtMs` under the control set last (see EvsePhysics.advance for `limitW`). */
  override advance(dtMs: number, limitW?: number): void {
    if (!this.followsControl()) {
      super.advance(dtMs, limitW);
      return;
    }
    let remainingMs = dtMs > 0 ? dtMs : 0;
    for (;;) {
      const p = this.refresh(limitW);
      if (p === 0 || remainingMs <= 0) return;
      const roomWh = this.roomWh(p);
      const stepMs = (roomWh / Math.abs(p)) * MS_PER_H;
      if (stepMs >= remainingMs) {
        this.transfer((p * remainingMs) / MS_PER_H);
        this.refresh(limitW);
        return;
      }
      this.transfer(p > 0 ? roomWh : -roomWh);
      remainingMs -= stepMs;
    }
  }

  /**
   * Milliseconds until the power changes by itself (a SoC bound reached) under the present control; Infinity
   * when nothing flows or in ChargingOnly (where the parent's taper changes power in small steps).
   */
  msUntilBound(): number {
    if (!this.followsControl() || this._signedW === 0) return Infinity;
    return (this.roomWh(this._signedW) / Math.abs(this._signedW)) * MS_PER_H;
  }

  private followsControl(): boolean {
    return this.v2x !== null && this.control.mode !== 'ChargingOnly';
  }

  /** Energy (Wh) until the SoC bound in the direction of `p`. */
  private roomWh(p: number): number {
    const ev = this.ev!;
    const v = this.v2x!;
    const socWh = this.initialWh + this.sessionWh;
    const room = p > 0 ? (Math.min(100, v.maxSocPct) / 100) * ev.batteryWh - socWh : socWh - (Math.max(0, v.minSocPct) / 100) * ev.batteryWh;
    return room > 0 ? room : 0;
  }

  private transfer(wh: number): void {
    this.sessionWh += wh;
    if (wh > 0) this._registerWh += wh;
    else this._exportWh -= wh;
  }

  protected override refresh(limitW: number | undefined): number {
    if (!this.followsControl()) {
      const p = super.refresh(limitW);
      this._signedW = p;
      this._targetW = undefined;
      return p;
    }
    const ev = this.ev!;
    this._offeredW = this.offerW(limitW);
    let p = 0;
    if (!this.energized) {
      this._state = 'EVConnected';
      this._offeredW = 0;
      this._targetW = undefined;
    } else {
      const socWh = this.initialWh + this.sessionWh;
      const demand = this.remainingWh(socWh, this.sessionWh) > EPS_WH ? Math.min(this._offeredW, ev.carMaxPowerW) : 0;
      const want = requestedPowerW(this.control, this.grid, demand);
      this._targetW = want;
      const chargeCap = Math.min(this._offeredW, ev.carMaxPowerW);
      const dischargeCap = this.bidirectional ? Math.min(this.ratingW, this.v2x!.maxDischargePowerW, this.dischargeCapW) : 0;
      p = want > 0 ? Math.min(want, chargeCap) : want < 0 ? -Math.min(-want, dischargeCap) : 0;
      if (p !== 0 && this.roomWh(p) <= EPS_WH) p = 0;
      if (p === 0) p = 0; // never -0
      // Nothing asked (Idle, setpoint 0): the EVSE holds the transfer; asked but impossible: the EV's bound.
      this._state = p !== 0 ? 'Charging' : want === 0 ? 'SuspendedEVSE' : 'SuspendedEV';
    }
    this._signedW = p;
    this._powerW = p > 0 ? p : 0;
    return p;
  }
}
