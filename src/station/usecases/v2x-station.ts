/**
 * Station-wide state of a `v2x` station (FLOWS.md §5): its DER controls, the simulated grid at its connection
 * point (frequency, voltage, excursions reported with NotifyDERAlarm), and the aFRR signal. Kept beside the
 * Station (a WeakMap), so station.ts carries no use-case fields. DER controls live as long as the Station object,
 * i.e. they survive reboots as FLOWS.md §5.4 requires.
 */
import { isoTime } from '../../util/clock.js';
import { Rng, mixSeed } from '../../util/rng.js';
import type { TimelineTarget } from '../../util/timeline.js';
import type { Payload } from '../../ocpp/session.js';
import type { Station } from '../station.js';
import { V2xPhysics, type GridSignals } from '../v2x-physics.js';
import { DerControlStore, type DerControl, type DerControlType } from './der-store.js';

const T_DER = 1;
const T_GRID = 2;
const T_ALARM_END = 3;
const T_AFRR = 4;

const NOMINAL_HZ = 50;
const NOMINAL_V = 230;

type Fault = 'OverVoltage' | 'UnderVoltage' | 'OverFrequency' | 'UnderFrequency';

/** The grid excursions simulated, their weights, the value reached, and the DER control types that watch them. */
const FAULTS: readonly { fault: Fault; weight: number; value: number; types: readonly DerControlType[] }[] = [
  { fault: 'OverVoltage', weight: 0.4, value: 253.4, types: ['VoltWatt', 'HVMayTrip', 'HVMustTrip', 'HVMomCess', 'VoltVar'] },
  { fault: 'UnderVoltage', weight: 0.4, value: 195.5, types: ['LVMayTrip', 'LVMustTrip', 'LVMomCess', 'VoltVar'] },
  { fault: 'OverFrequency', weight: 0.1, value: 50.25, types: ['FreqDroop', 'FreqWatt', 'HFMayTrip', 'HFMustTrip'] },
  { fault: 'UnderFrequency', weight: 0.1, value: 49.75, types: ['FreqDroop', 'LFMustTrip'] },
];

export class V2xStationState implements TimelineTarget {
  readonly st: Station;
  readonly der = new DerControlStore();
  grid: GridSignals = { frequencyHz: NOMINAL_HZ };
  voltageV = NOMINAL_V;
  private readonly rng: Rng;
  /** Scheduled DER controls reported started (NotifyDERStartStop). */
  private readonly derRunning = new Set<string>();
  private derToken = -1;
  private gridToken = -1;
  private alarm: { fault: Fault; controlType: DerControlType } | null = null;
  private pendingAfrr: { atMs: number; signal: number }[] = [];
  private afrrToken = -1;

  constructor(st: Station) {
    this.st = st;
    this.rng = new Rng(mixSeed(st.ctx.spec.seed, st.plan.index, 0xde7));
  }

  private get sink() { return this.st.ctx.sink; }

  /** The station was accepted: start the grid-event process (once; it keeps running across reconnects). */
  onOnline(): void {
    if (this.derToken === -1 && this.der.size > 0) this.derChanged();
    const g = this.st.plan.group.v2x?.gridEvents;
    if (!g || g.probability <= 0 || this.gridToken !== -1) return;
    this.gridToken = this.st.ctx.timeline.after(g.every, this, T_GRID);
  }

  onTimer(kind: number): void {
    if (this.st.link === 'stopped') {
      // Powered down: every process stops here and starts again from onOnline().
      if (kind === T_GRID) this.gridToken = -1;
      else if (kind === T_DER) this.derToken = -1;
      else if (kind === T_AFRR) this.afrrToken = -1;
      else if (kind === T_ALARM_END) { this.alarm = null; this.voltageV = NOMINAL_V; }
      return;
    }
    switch (kind) {
      case T_DER: this.derToken = -1; this.derChanged(); return;
      case T_GRID: this.gridTick(); return;
      case T_ALARM_END: this.endAlarm(); return;
      case T_AFRR: this.afrrToken = -1; this.applyDueAfrr(); return;
    }
  }

  /** A station-initiated call of a 2.1-only action: skipped (and counted) on 2.0.1, dropped while offline. */
  send21(action: string, payload: Payload): void {
    const st = this.st;
    if (st.version !== '2.1') { this.sink.count('usecase_skipped_201'); return; }
    if (!st.online) return;
    void st.call(action, payload);
  }

  // ------------------------------------------------------------------------------------------ DER control

  /**
   * The DER controls changed or a window opened/closed: NotifyDERStartStop for every scheduled control that
   * started or stopped being in effect, then re-arm for the next transition (FLOWS.md §5.4).
   */
  derChanged(): void {
    const now = this.st.nowMs();
    const running = this.der.running(now);
    const ids = new Set(running.map((c) => c.id));
    for (const id of [...this.derRunning]) {
      if (ids.has(id)) continue;
      this.derRunning.delete(id);
      this.startStop(id, false, now);
    }
    for (const c of running) {
      if (this.derRunning.has(c.id)) continue;
      this.derRunning.add(c.id);
      this.startStop(c.id, true, now, c);
    }
    this.der.purgeEnded(now);
    this.st.ctx.timeline.cancel(this.derToken);
    const next = this.der.nextTransition(now);
    this.derToken = next === Infinity ? -1 : this.st.ctx.timeline.after(Math.max(0, next - now), this, T_DER);
    // A LimitMaxDischarge control caps discharge power: let discharging EVSEs settle and report.
    this.refreshEvses((p) => p.exportPowerW > 0 || p.setpointW !== undefined);
  }

  private startStop(controlId: string, started: boolean, now: number, c?: DerControl): void {
    const p: Payload = { controlId, started, timestamp: isoTime(now) };
    if (c) {
      const superseded = this.der.supersededBy(c);
      if (superseded.length > 0) p.supersededIds = superseded.slice(0, 24);
    }
    this.sink.count('der_start_stop');
    this.send21('NotifyDERStartStop', p);
  }

  /** Discharge cap (W) from an active LimitMaxDischarge control: pctMaxDischargePower of the EV's maximum. */
  dischargeCapW(maxDischargeW: number, t: number): number {
    const c = this.der.active('LimitMaxDischarge', t);
    const pct = c?.settings.pctMaxDischargePower;
    return typeof pct === 'number' ? Math.max(0, (maxDischargeW * pct) / 100) : Infinity;
  }

  // ------------------------------------------------------------------------------------------- grid events

  private gridTick(): void {
    const g = this.st.plan.group.v2x!.gridEvents;
    this.gridToken = this.st.ctx.timeline.after(g.every, this, T_GRID);
    if (this.alarm || !this.st.online || this.rng.next() >= g.probability) return;
    let x = this.rng.next();
    const f = FAULTS.find((q) => (x -= q.weight) < 0) ?? FAULTS[0]!;
    const now = this.st.nowMs();
    const controlType = f.types.find((t) => this.der.active(t, now)) ?? f.types[0]!;
    this.alarm = { fault: f.fault, controlType };
    const voltage = f.fault === 'OverVoltage' || f.fault === 'UnderVoltage';
    if (voltage) this.voltageV = f.value;
    else this.setFrequency(f.value);
    this.sink.count('der_alarms');
    this.send21('NotifyDERAlarm', {
      controlType, gridEventFault: f.fault, timestamp: isoTime(now),
      extraInfo: voltage ? `${f.value.toFixed(1)} V at connection point` : `${f.value.toFixed(2)} Hz at connection point`,
    });
    this.st.ctx.timeline.after(g.duration, this, T_ALARM_END);
  }

  private endAlarm(): void {
    const a = this.alarm;
    if (!a) return;
    this.alarm = null;
    this.voltageV = NOMINAL_V;
    if (this.grid.frequencyHz !== NOMINAL_HZ) this.setFrequency(NOMINAL_HZ);
    this.send21('NotifyDERAlarm', { controlType: a.controlType, gridEventFault: a.fault, alarmEnded: true, timestamp: this.st.now() });
  }

  private setFrequency(hz: number): void {
    this.grid = this.grid.afrrSignal === undefined ? { frequencyHz: hz } : { frequencyHz: hz, afrrSignal: this.grid.afrrSignal };
    this.refreshEvses((p) => p.mode === 'LocalFrequency');
  }

  // ------------------------------------------------------------------------------------------------ aFRR

  /** AFRRSignalRequest accepted: the signal applies from `atMs` (station time). */
  scheduleAfrr(atMs: number, signal: number): void {
    this.pendingAfrr.push({ atMs, signal });
    this.pendingAfrr.sort((a, b) => a.atMs - b.atMs);
    this.applyDueAfrr();
  }

  private applyDueAfrr(): void {
    const now = this.st.nowMs();
    let applied = false;
    while (this.pendingAfrr.length > 0 && this.pendingAfrr[0]!.atMs <= now) {
      this.grid = { frequencyHz: this.grid.frequencyHz, afrrSignal: this.pendingAfrr.shift()!.signal };
      applied = true;
    }
    if (applied) this.refreshEvses((p) => p.mode === 'LocalFrequency');
    const next = this.pendingAfrr[0];
    if (next && this.afrrToken === -1) this.afrrToken = this.st.ctx.timeline.after(Math.max(0, next.atMs - now), this, T_AFRR);
  }

  /** Settles and reports the EVSEs (with a transaction) whose physics match `which`: their power changes now. */
  private refreshEvses(which: (p: V2xPhysics) => boolean): void {
    for (const e of this.st.evses) {
      if (e.tx && e.physics instanceof V2xPhysics && which(e.physics)) e.onLimitChanged();
    }
  }
}

const STATES = new WeakMap<Station, V2xStationState>();

/** The V2X/DER state of a station (created on first use). */
export function v2xStation(st: Station): V2xStationState {
  let s = STATES.get(st);
  if (!s) STATES.set(st, (s = new V2xStationState(st)));
  return s;
}
