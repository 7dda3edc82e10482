import type { EvseModel } from '../scenario/spec.js';
import type { MeterReading } from './meter.js';

/** TransactionEventRequest.transactionInfo.chargingState values (FLOWS.md §3.4). */
export type ChargingState = 'Idle' | 'EVConnected' | 'Charging' | 'SuspendedEV' | 'SuspendedEVSE';

/** The car of one session, drawn from the scenario's SessionModel. */
export interface EvParams {
  /** Usable battery capacity (Wh), > 0. */
  batteryWh: number;
  /** State of charge at plug-in (%), 0..100. */
  initialSocPct: number;
  /** The car's own maximum charging power (W). */
  carMaxPowerW: number;
  /** Energy the driver wants this session (Wh); reaching it suspends charging. Infinity = until full. */
  targetEnergyWh: number;
  /** DC only: battery voltage (V) the charger drives; defaults to the EVSE voltage. */
  batteryVoltageV?: number;
}

/**
 * Charging curve: full car power up to `kneePct` SoC, then a linear taper to `floor` × car power at 100 %.
 * DC fast charging tapers early (CC/CV around 80 %); an AC on-board charger only near full. The floor keeps the
 * last percent reachable in finite time, as real cars do.
 */
const TAPER = {
  AC: { kneePct: 95, floor: 0.2 },
  DC: { kneePct: 80, floor: 0.1 },
} as const;

/** While tapering, power is constant over SoC cells of this width (%), aligned at the knee. */
const TAPER_STEP_PCT = 0.25;
/** Energies below this (Wh) count as reached; keeps float residue from producing endless tiny steps. */
const EPS_WH = 1e-6;
const MS_PER_H = 3_600_000;

/**
 * The electrical state of one EVSE and the car plugged into it. Pure and clock-free: the state machine calls
 * `advance(dtMs, limitW)` with the elapsed time and the smart-charging limit. Power is constant within each
 * integration step, so the energy delivered is exactly Σ P·Δt. Implements MeterReading for meter.ts.
 */
export class EvsePhysics implements MeterReading {
  readonly current: 'AC' | 'DC';
  /** AC phases wired (1 or 3); 0 for DC. */
  readonly phases: number;
  readonly ratingW: number;
  /** Nominal phase voltage (AC) or maximum DC voltage. */
  readonly nominalVoltageV: number;

  // protected, not private: V2xPhysics (v2x-physics.ts) extends this model for bidirectional power.
  protected _registerWh: number;
  protected ev: EvParams | null = null;
  protected initialWh = 0;
  protected sessionWh = 0;
  protected energized = false;
  protected _powerW = 0;
  protected _offeredW = 0;
  protected _state: ChargingState = 'Idle';

  /** @param registerWh meter reading at start (the register is never reset, only grows). */
  constructor(evse: EvseModel, registerWh = 0) {
    this.current = evse.current;
    this.phases = evse.current === 'AC' ? evse.phases : 0;
    this.ratingW = evse.maxPowerW;
    this.nominalVoltageV = evse.voltageV;
    this._registerWh = registerWh;
  }

  /** Energy.Active.Import.Register (Wh): monotonically increasing over the life of the EVSE. */
  get registerWh(): number { return this._registerWh; }
  /** Power being delivered now (W), constant until the next advance(). */
  get powerW(): number { return this._powerW; }
  /** What the EVSE offers the car: min(rating, limit) (W). */
  get offeredW(): number { return this._offeredW; }
  get state(): ChargingState { return this._state; }
  get connected(): boolean { return this.ev !== null; }
  /** Energy delivered since plug-in (Wh). */
  get sessionEnergyWh(): number { return this.sessionWh; }
  /** Car SoC (%), undefined without a car. Always = initial SoC + session energy / battery. */
  get socPct(): number | undefined {
    const ev = this.ev;
    return ev ? ((this.initialWh + this.sessionWh) / ev.batteryWh) * 100 : undefined;
  }
  /** Voltage the meter sees: phase voltage for AC, the battery/charger voltage for DC. */
  get voltageV(): number {
    if (this.current === 'AC') return this.nominalVoltageV;
    const v = this.ev?.batteryVoltageV;
    return v !== undefined && v > 0 ? Math.min(v, this.nominalVoltageV) : this.nominalVoltageV;
  }
  /** Current per phase (AC: P / (phases × V)) or DC current (P / V) (A). */
  get currentA(): number { return this.toAmps(this._powerW); }
  get offeredA(): number { return this.toAmps(this._offeredW); }

  /** A car is plugged in; nothing flows until energize(true). */
  plugIn(ev: EvParams): void {
    this.ev = ev;
    this.initialWh = (Math.min(100, Math.max(0, ev.initialSocPct)) / 100) * ev.batteryWh;
    this.sessionWh = 0;
    this.energized = false;
    this.refresh(undefined);
  }

  unplug(): void {
    this.ev = null;
    this.energized = false;
    this.sessionWh = 0;
    this.refresh(undefined);
  }

  /** Closes or opens the power path (authorization / TxStartPoint reached, or a stop). */
  energize(on: boolean, limitW?: number): void {
    this.energized = on;
    this.refresh(limitW);
  }

  /** Changes the session's energy target (e.g. a transactionLimit.maxEnergy from the CSMS, E16). */
  setTargetEnergy(wh: number, limitW?: number): void {
    if (this.ev) this.ev = { ...this.ev, targetEnergyWh: wh };
    this.refresh(limitW);
  }

  /**
   * Integrates `dtMs` of charging under `limitW` (undefined = no smart-charging limit, 0 = suspended by the
   * EVSE). Steps end where the power would change (taper knee, taper steps, target reached, battery full),
   * so the delivered energy is exact for the piecewise-constant power.
   */
  advance(dtMs: number, limitW?: number): void {
    let remainingMs = dtMs > 0 ? dtMs : 0;
    for (;;) {
      const p = this.refresh(limitW);
      if (p <= 0 || remainingMs <= 0) return;
      const stepWh = this.stepWh(this.initialWh + this.sessionWh, this.sessionWh);
      const stepMs = (stepWh / p) * MS_PER_H;
      if (stepMs >= remainingMs) {
        this.deliver((p * remainingMs) / MS_PER_H);
        this.refresh(limitW);
        return;
      }
      this.deliver(stepWh);
      remainingMs -= stepMs;
    }
  }

  /**
   * Milliseconds until the car stops taking energy (SuspendedEV) if `limitW` stays as it is; 0 if it already
   * has, Infinity if no energy flows. Lets the state machine schedule its ChargingStateChanged event.
   */
  msUntilSuspended(limitW?: number): number {
    const ev = this.ev;
    if (!ev || !this.energized) return Infinity;
    let socWh = this.initialWh + this.sessionWh;
    let sessWh = this.sessionWh;
    let t = 0;
    for (;;) {
      if (this.remainingWh(socWh, sessWh) <= EPS_WH) return t;
      const p = this.powerAt(socWh, limitW);
      if (p <= 0) return this.offerW(limitW) <= 0 ? Infinity : t;
      const stepWh = this.stepWh(socWh, sessWh);
      t += (stepWh / p) * MS_PER_H;
      socWh += stepWh;
      sessWh += stepWh;
    }
  }

  protected toAmps(w: number): number {
    const v = this.voltageV;
    if (v <= 0) return 0;
    return this.current === 'AC' ? w / (this.phases * v) : w / v;
  }

  protected offerW(limitW: number | undefined): number {
    const cap = limitW === undefined ? this.ratingW : Math.min(this.ratingW, limitW);
    return cap > 0 ? cap : 0;
  }

  /** Energy the car still accepts before the target or a full battery (Wh). */
  protected remainingWh(socWh: number, sessWh: number): number {
    const ev = this.ev!;
    return Math.min(ev.targetEnergyWh - sessWh, ev.batteryWh - socWh);
  }

  /**
   * Power the car draws at this SoC: min(offer, car max, taper). The taper is evaluated at the start of fixed
   * SoC cells, so power is a function of SoC alone and the trajectory does not depend on how time is split.
   */
  protected powerAt(socWh: number, limitW: number | undefined): number {
    const ev = this.ev!;
    const curve = TAPER[this.current];
    const k = this.taperCell(socWh);
    const cellStartPct = curve.kneePct + k * TAPER_STEP_PCT;
    const factor = k < 0 ? 1 : Math.max(curve.floor, (100 - cellStartPct) / (100 - curve.kneePct));
    const p = Math.min(this.offerW(limitW), ev.carMaxPowerW * factor);
    return p > 0 ? p : 0;
  }

  /** Energy over which the power stays constant: up to the knee, the end of the taper cell, or the stop point. */
  private stepWh(socWh: number, sessWh: number): number {
    const ev = this.ev!;
    const kneeWh = (TAPER[this.current].kneePct / 100) * ev.batteryWh;
    const k = this.taperCell(socWh);
    const untilChange = k < 0 ? kneeWh - socWh : kneeWh + (k + 1) * (TAPER_STEP_PCT / 100) * ev.batteryWh - socWh;
    return Math.min(untilChange, this.remainingWh(socWh, sessWh));
  }

  /** Taper cell containing `socWh` (-1 below the knee); a cell ending within EPS counts as passed. */
  private taperCell(socWh: number): number {
    const ev = this.ev!;
    const kneeWh = (TAPER[this.current].kneePct / 100) * ev.batteryWh;
    if (kneeWh - socWh > EPS_WH) return -1;
    const cellWh = (TAPER_STEP_PCT / 100) * ev.batteryWh;
    let k = Math.max(0, Math.floor((socWh - kneeWh) / cellWh));
    if (kneeWh + (k + 1) * cellWh - socWh <= EPS_WH) k++;
    return k;
  }

  private deliver(wh: number): void {
    this.sessionWh += wh;
    this._registerWh += wh;
  }

  /** Recomputes offer, power and state for the present SoC; returns the power. */
  protected refresh(limitW: number | undefined): number {
    this._offeredW = this.offerW(limitW);
    const ev = this.ev;
    let p = 0;
    if (!ev) {
      this._state = 'Idle';
      this._offeredW = 0;
    } else if (!this.energized) {
      this._state = 'EVConnected';
      this._offeredW = 0;
    } else if (this.remainingWh(this.initialWh + this.sessionWh, this.sessionWh) <= EPS_WH || ev.carMaxPowerW <= 0) {
      // The car refuses energy regardless of the offer, so this wins over SuspendedEVSE.
      this._state = 'SuspendedEV';
    } else if (this._offeredW <= 0) {
      this._state = 'SuspendedEVSE';
    } else {
      p = this.powerAt(this.initialWh + this.sessionWh, limitW);
      this._state = p > 0 ? 'Charging' : 'SuspendedEV';
    }
    this._powerW = p;
    return p;
  }
}
