import { randomUUID } from 'node:crypto';
import { Rng, mixSeed } from '../util/rng.js';
import type { Payload } from '../ocpp/session.js';
import type { EvseModel } from '../scenario/spec.js';
import type { Station } from './station.js';
import { draw, pickToken, type IdToken } from './draw.js';
import { EvsePhysics, type ChargingState } from './physics.js';
import { meterValue, type Measurand, type MeterValue, type ReadingContext } from './meter.js';
import { runsSessions, useCaseOf, type EvseHooks } from './usecases/index.js';

/** Timeline kinds of an EVSE (the station routes kinds >= base to EVSE `arg`). */
export const EvseTimer = Object.freeze({ base: 100, arrival: 100, authorize: 101, meter: 102, depart: 103, evArrives: 104, suspend: 105 });

export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';

/**
 * Attack hooks of one EVSE (src/attacks sets them on the stations it subverts; ordinary EVSEs have none).
 * `meter` rewrites a reading just before it is reported — the true physics (register = ∫P dt) stays untouched,
 * only what the station REPORTS lies (A08/A09/F01). `limit` replaces the smart-charging limit the EVSE obeys
 * (A12: ignore the profile, switch on and off): it changes the real power, and the reports follow it honestly.
 */
export interface EvseTamper {
  meter?(mv: MeterValue, context: ReadingContext, evse: Evse): MeterValue;
  limit?(limitW: number | undefined, evse: Evse): number | undefined;
}

/** A running transaction (OCPP 2.1 E01-E07). */
export interface Tx {
  readonly id: string;
  seqNo: number;
  readonly startedMs: number;
  idToken?: IdToken;
  authorized: boolean;
  evConnected: boolean;
  chargingState: ChargingState;
  /** Sent once, in the first event after it became known (FLOWS.md §3.4). */
  pendingIdToken: boolean;
  pendingEvse: boolean;
  remoteStartId?: number;
  startRegisterWh: number;
  lastAdvanceMs: number;
  /** The smart-charging limit (W) in force since lastAdvanceMs; undefined = none. */
  limitW: number | undefined;
  chargingMs: number;
}

/**
 * One EVSE with its connector(s), meter register and at most one transaction. Drives the session model:
 * plug-in (Poisson arrivals) → Started → Authorize → Charging with periodic meter values → stop by token or
 * unplug → Ended, with the physics of physics.ts. TxStartPoint = TxStopPoint = EVConnected,Authorized.
 */
export class Evse {
  readonly station: Station;
  readonly id: number;
  readonly model: EvseModel;
  readonly connectorId = 1;
  readonly rng: Rng;
  status: ConnectorStatus = 'Available';
  operative = true;
  /** Availability change requested while a transaction ran (ChangeAvailability → Scheduled). */
  pendingOperative: boolean | null = null;
  /** The EVSE's meter and the plugged car (owns the energy register, Wh, never reset). */
  readonly physics: EvsePhysics;
  tx: Tx | null = null;
  lastTxId: string | undefined;
  /** Use-case hooks of the station's behaviour (usecases/index.ts); undefined = a plain charging EVSE. */
  readonly hooks: EvseHooks | undefined;
  private tokens = [-1, -1, -1, -1, -1, -1];
  /** Attack hooks (see EvseTamper); null on an honest EVSE. */
  tamper: EvseTamper | null = null;

  constructor(station: Station, id: number, model: EvseModel) {
    this.station = station;
    this.id = id;
    this.model = model;
    this.rng = new Rng(mixSeed(station.ctx.spec.seed, station.plan.index, 100 + id));
    this.hooks = useCaseOf(station.plan.group.behaviour)?.evse?.(this);
    // A used meter: the register starts somewhere in the first 10 MWh, as a real one would.
    const registerWh = Math.round(this.rng.uniform(0, 10_000_000));
    this.physics = this.hooks?.createPhysics?.(model, registerWh) ?? new EvsePhysics(model, registerWh);
  }

  private get ctx() { return this.station.ctx; }

  powerOn(): void {
    this.cancelTimers();
    if (this.tx) { this.station.profiles.endTransaction(this.id); this.tx = null; }
    if (this.physics.connected) this.physics.unplug();
    this.status = this.operative ? 'Available' : 'Unavailable';
  }

  cancelTimers(): void {
    for (let i = 0; i < this.tokens.length; i++) { this.ctx.timeline.cancel(this.tokens[i]!); this.tokens[i] = -1; }
  }

  private arm(kind: number, ms: number): void {
    const slot = kind - EvseTimer.base;
    this.ctx.timeline.cancel(this.tokens[slot]!);
    this.tokens[slot] = this.ctx.timeline.after(ms, this.station, kind, this.id - 1);
  }

  private disarm(kind: number): void {
    const slot = kind - EvseTimer.base;
    this.ctx.timeline.cancel(this.tokens[slot]!);
    this.tokens[slot] = -1;
  }

  /** The station was accepted: start the arrival process of the session model. */
  onOnline(): void {
    this.hooks?.onOnline?.();
    if (!runsSessions(this.station.plan.group.behaviour) || this.ctx.spec.workload.executor !== 'sessions') return;
    if (!this.tx && this.tokens[EvseTimer.arrival - EvseTimer.base] === -1) this.scheduleArrival();
  }

  private scheduleArrival(): void {
    const perHour = this.ctx.spec.sessions.arrivalsPerEvsePerHour;
    if (perHour <= 0) return;
    this.arm(EvseTimer.arrival, this.rng.exponential(3_600_000 / perHour));
  }

  onTimer(kind: number): void {
    this.tokens[kind - EvseTimer.base] = -1;
    switch (kind) {
      case EvseTimer.arrival: this.onArrival(); return;
      case EvseTimer.authorize: void this.presentToken(); return;
      case EvseTimer.meter: this.meterTick(); return;
      case EvseTimer.depart: this.depart(); return;
      case EvseTimer.evArrives: this.evArrivesAfterRemoteStart(); return;
      case EvseTimer.suspend: if (this.advance()) this.emit('Updated', 'ChargingStateChanged', 'Sample.Periodic'); return;
    }
  }

  // ------------------------------------------------------------------------------------ session model

  private onArrival(): void {
    const st = this.station;
    if (st.link === 'stopped' || st.draining) return;
    // A use case may hold local starts back (a web payment in progress on this EVSE, FLOWS.md §7.2); so does a firmware update.
    if (this.tx || !this.operative || this.status !== 'Available' || st.firmware.holdsSessions || this.hooks?.blocksLocalStart?.()) { this.scheduleArrival(); return; }
    this.beginSession();
  }

  /** A driver arrives: plug in, present the token after a while, leave after the plug duration. */
  beginSession(): void {
    const s = this.ctx.spec.sessions;
    this.plugIn();
    this.arm(EvseTimer.authorize, draw(s.authorizeDelay, this.rng));
    const stayMs = draw(s.plugDuration, this.rng);
    this.arm(EvseTimer.depart, stayMs);
    this.hooks?.onPlugIn?.(stayMs);
  }

  /** Cable plugged in: connector Occupied, transaction Started with trigger CablePluggedIn (E02). */
  private plugIn(): void {
    this.setStatus('Occupied');
    const tx = this.newTx();
    tx.evConnected = true;
    tx.chargingState = 'EVConnected';
    this.plugCar();
    this.startTx(tx);
    this.ctx.sink.count('tx_started');
    this.emit('Started', 'CablePluggedIn', 'Transaction.Begin');
  }

  private newTx(): Tx {
    const now = this.station.nowMs();
    return {
      id: randomUUID(), seqNo: 0, startedMs: now, authorized: false, evConnected: false, chargingState: 'Idle',
      pendingIdToken: false, pendingEvse: true, startRegisterWh: this.physics.registerWh, lastAdvanceMs: now, limitW: undefined, chargingMs: 0,
    };
  }

  /** A car from the session model arrives at the connector (nothing flows until the power path closes). */
  private plugCar(): void {
    const s = this.ctx.spec.sessions;
    this.physics.plugIn({
      batteryWh: draw(s.batteryWh, this.rng),
      initialSocPct: draw(s.initialSoc, this.rng),
      targetEnergyWh: draw(s.energyWh, this.rng),
      carMaxPowerW: draw(s.carMaxPowerW, this.rng),
    });
  }

  private startTx(tx: Tx): void {
    this.tx = tx;
    this.station.profiles.setTransaction(this.id, tx.id, tx.startedMs);
  }

  /** The driver presents an idToken (RFID): Authorize online, local acceptance offline. */
  private async presentToken(): Promise<void> {
    const tx = this.tx;
    if (!tx || tx.authorized) return;
    const st = this.station;
    // Plug & Charge: the use case authorizes the EV's contract itself (usecases/pnc.ts); null = refused.
    if (this.hooks?.authorize) {
      const accepted = await this.hooks.authorize();
      if (this.tx !== tx || tx.authorized) return;
      if (accepted) this.authorize(tx, accepted, 'Authorized');
      else this.arm(EvseTimer.depart, 2000);
      return;
    }
    const token = pickToken(this.ctx.spec.sessions.idTokens, this.ctx.spec.seed, this.rng, this.station.tokenShare(this.id));
    if (st.online) {
      const out = await st.call('Authorize', { idToken: token });
      if (this.tx !== tx || tx.authorized) return;
      const status = out.ok ? out.payload.idTokenInfo?.status : undefined;
      if (status !== 'Accepted') {
        this.ctx.sink.count(out.ok ? 'authorize_rejected' : 'authorize_failed');
        // The driver gives up: unplugs after a short while (no energy was transferred).
        this.arm(EvseTimer.depart, 2000);
        return;
      }
    } else {
      this.ctx.sink.count('authorize_offline_local');
    }
    this.authorize(tx, token, 'Authorized');
  }

  private authorize(tx: Tx, token: IdToken, trigger: string): void {
    // Settle the time before the power path closed (nothing flowed), so it is not charged for later.
    this.advance();
    tx.idToken = token;
    tx.authorized = true;
    tx.pendingIdToken = true;
    if (tx.evConnected) {
      tx.limitW = this.limitW(tx);
      this.physics.energize(true, tx.limitW);
      tx.chargingState = this.physics.state;
      this.armSuspend(tx);
    }
    this.emit('Updated', trigger, null);
    this.arm(EvseTimer.meter, this.ctx.spec.sessions.meterInterval);
    if (tx.evConnected) this.hooks?.onAuthorized?.();
  }

  private meterTick(): void {
    const tx = this.tx;
    if (!tx) return;
    const changed = this.advance();
    this.emit('Updated', changed ? 'ChargingStateChanged' : 'MeterValuePeriodic', 'Sample.Periodic');
    this.arm(EvseTimer.meter, Math.max(1, this.station.dm.txUpdatedIntervalS) * 1000);
  }

  /** The planned end of the visit: by token (StopAuthorized) or by unplugging (EVCommunicationLost). */
  private depart(): void {
    const tx = this.tx;
    if (!tx) { this.setStatus(this.operative ? 'Available' : 'Unavailable'); return; }
    if (tx.authorized && this.rng.next() < this.ctx.spec.sessions.stopByTokenRatio) this.endSession('Local', 'StopAuthorized');
    else this.endSession('EVDisconnected', 'EVCommunicationLost');
  }

  /** Ends the running transaction (E06) and frees the connector. */
  endSession(stoppedReason: string, trigger: string): void {
    const tx = this.tx;
    if (!tx) return;
    this.advance();
    tx.pendingIdToken = trigger === 'StopAuthorized' && tx.idToken !== undefined;
    if (trigger === 'EVCommunicationLost' || stoppedReason === 'EVDisconnected') { tx.evConnected = false; tx.chargingState = 'Idle'; }
    this.emit('Ended', trigger, 'Transaction.End', stoppedReason);
    this.ctx.sink.count('tx_ended');
    this.ctx.sink.add('energy_wh', this.physics.registerWh - tx.startRegisterWh);
    this.hooks?.onEnded?.();
    this.lastTxId = tx.id;
    this.tx = null;
    this.station.profiles.endTransaction(this.id);
    this.physics.energize(false);
    if (this.physics.connected) this.physics.unplug();
    this.disarm(EvseTimer.meter);
    this.disarm(EvseTimer.authorize);
    this.disarm(EvseTimer.depart);
    this.disarm(EvseTimer.evArrives);
    this.disarm(EvseTimer.suspend);
    if (this.pendingOperative !== null) { this.operative = this.pendingOperative; this.pendingOperative = null; }
    this.setStatus(this.operative ? 'Available' : 'Unavailable');
    // Not while draining: a session begun after stop() would be cut off by the shutdown without its Ended event.
    if (this.station.link !== 'stopped' && !this.station.draining && this.ctx.spec.workload.executor === 'sessions') this.scheduleArrival();
  }

  // ---------------------------------------------------------------------------------- CSMS commands

  /** RequestStartTransaction (F01/F02): authorise the waiting EV, or start and wait for the EV. */
  remoteStart(token: IdToken, remoteStartId: number): 'Accepted' | 'Rejected' {
    if (!this.operative || this.status === 'Faulted' || this.status === 'Unavailable') return 'Rejected';
    const tx = this.tx;
    if (tx) {
      if (tx.authorized) return 'Rejected';
      tx.remoteStartId = remoteStartId;
      this.disarm(EvseTimer.authorize);
      this.authorize(tx, token, 'RemoteStart');
      return 'Accepted';
    }
    const t = this.newTx();
    t.remoteStartId = remoteStartId;
    t.idToken = token;
    t.authorized = true;
    t.pendingIdToken = true;
    t.pendingEvse = true;
    this.startTx(t);
    this.disarm(EvseTimer.arrival);
    this.ctx.sink.count('tx_started');
    this.emit('Started', 'RemoteStart', 'Transaction.Begin');
    // The driver who started from the app plugs in shortly after.
    this.arm(EvseTimer.evArrives, this.rng.uniform(1000, 5000));
    return 'Accepted';
  }

  private evArrivesAfterRemoteStart(): void {
    const tx = this.tx;
    if (!tx || tx.evConnected) return;
    this.setStatus('Occupied');
    this.advance();
    tx.evConnected = true;
    this.plugCar();
    tx.limitW = this.limitW(tx);
    this.physics.energize(true, tx.limitW);
    tx.chargingState = this.physics.state;
    this.emit('Updated', 'CablePluggedIn', null);
    this.arm(EvseTimer.meter, this.ctx.spec.sessions.meterInterval);
    const stayMs = draw(this.ctx.spec.sessions.plugDuration, this.rng);
    this.arm(EvseTimer.depart, stayMs);
    this.hooks?.onPlugIn?.(stayMs);
    this.hooks?.onAuthorized?.();
  }

  /** A charging limit changed (SetChargingProfile/Clear): settle energy so far, then report the new rate. */
  onLimitChanged(): void {
    const tx = this.tx;
    if (!tx || !tx.evConnected) return;
    this.advance();
    this.emit('Updated', 'ChargingRateChanged', 'Sample.Periodic');
  }

  /** An Updated event a use case reports (TariffChanged, LimitSet, RunningCost, ...): energy settled first. */
  reportUpdate(triggerReason: string): boolean {
    if (!this.tx) return false;
    this.advance();
    this.emit('Updated', triggerReason, null);
    return true;
  }

  /** TriggerMessage(TransactionEvent): an Updated event with trigger Trigger. */
  triggerTxEvent(): boolean {
    if (!this.tx) return false;
    this.advance();
    this.emit('Updated', 'Trigger', 'Trigger');
    return true;
  }

  /** The CSMS's answer to one of our TransactionEvents (StopTxOnInvalidId, E05). */
  onTxResponse(req: Payload, res: Payload): void {
    this.hooks?.onTxResponse?.(req, res);
    const status = res.idTokenInfo?.status;
    const tx = this.tx;
    if (!tx || req.transactionInfo?.transactionId !== tx.id || status === undefined || status === 'Accepted') return;
    this.ctx.sink.count('tx_deauthorized');
    if (this.station.dm.bool('TxCtrlr', 'StopTxOnInvalidId', true)) this.endSession('DeAuthorized', 'Deauthorized');
  }

  // ------------------------------------------------------------------------------------------ events

  /**
   * Integrates the EV's power up to now, then takes the limit in force now for what follows; returns true if the
   * charging state changed. Power is piecewise constant between events: the past interval ran under the limit
   * that applied when it began — a profile installed or cleared since then counts from now, not retroactively —
   * so the power an event reports is the power of the interval after it.
   */
  private advance(): boolean {
    const tx = this.tx;
    if (!tx) return false;
    const now = this.station.nowMs();
    const dt = now - tx.lastAdvanceMs;
    tx.lastAdvanceMs = now;
    if (!tx.authorized || !tx.evConnected) return false;
    if (dt > 0) {
      if (tx.chargingState === 'Charging') tx.chargingMs += dt;
      this.physics.advance(dt, tx.limitW);
    }
    tx.limitW = this.limitW(tx, now);
    this.physics.energize(true, tx.limitW);
    this.armSuspend(tx);
    const next = this.physics.state;
    if (next !== tx.chargingState) { tx.chargingState = next; return true; }
    return false;
  }

  /**
   * The car stops taking energy (target reached, battery full) at a time the physics can tell in advance:
   * report ChargingStateChanged then, not at the next meter sample.
   */
  private armSuspend(tx: Tx): void {
    if (this.physics.state !== 'Charging') { this.disarm(EvseTimer.suspend); return; }
    const ms = this.physics.msUntilSuspended(tx.limitW);
    if (Number.isFinite(ms) && ms > 0) this.arm(EvseTimer.suspend, Math.ceil(ms) + 1);
    else this.disarm(EvseTimer.suspend);
  }

  /** The smart-charging limit for this EVSE (W), undefined when no profile applies. */
  private limitW(tx: Tx, at = this.station.nowMs()): number | undefined {
    const h = this.hooks;
    const w = h?.limitAt ? h.limitAt(at) : this.station.profiles.limitAt(this.id, at, tx.startedMs);
    return this.tamper?.limit ? this.tamper.limit(w, this) : w;
  }

  /**
   * Brings the running transaction's energy up to now before a reading outside the TransactionEvent flow, so the
   * register is the one of now, not of the last event; the next event integrates from here on (no double count).
   * A charging-state change found on the way is reported as the suspend timer would.
   */
  private settle(): void {
    if (this.advance()) this.emit('Updated', 'ChargingStateChanged', 'Sample.Periodic');
  }

  /** A periodic meter reading outside a transaction (MeterValues workload). */
  sampleMeterValue(): Payload {
    this.settle();
    return this.reported(meterValue(this.physics, this.station.dm.txStartedMeasurands, 'Sample.Periodic', this.station.nowMs())
      ?? { timestamp: this.station.now(), sampledValue: [{ value: this.physics.registerWh, context: 'Sample.Periodic' }] }, 'Sample.Periodic');
  }

  /** MeterValues(Trigger) for TriggerMessage: the register and, during a transaction, the live values. */
  triggerMeterValue(): Payload {
    this.settle();
    const dm = this.station.dm;
    return this.reported(meterValue(this.physics, this.tx ? dm.txUpdatedMeasurands : dm.txStartedMeasurands, 'Trigger', this.station.nowMs())
      ?? { timestamp: this.station.now(), sampledValue: [{ value: this.physics.registerWh, context: 'Trigger' }] }, 'Trigger');
  }

  /** What the meter reports of a reading: the reading itself, unless an attack tampers with it. */
  private reported(mv: MeterValue, context: ReadingContext): MeterValue {
    return this.tamper?.meter ? this.tamper.meter(mv, context, this) : mv;
  }

  private emit(eventType: 'Started' | 'Updated' | 'Ended', triggerReason: string, context: ReadingContext | null, stoppedReason?: string): void {
    const tx = this.tx!;
    const info: Payload = { transactionId: tx.id };
    // chargingState goes in every event (always correct, and FLOWS.md §3.4 requires it whenever it changed).
    info.chargingState = tx.chargingState;
    if (tx.chargingMs > 0) info.timeSpentCharging = Math.round(tx.chargingMs / 1000);
    if (stoppedReason) info.stoppedReason = stoppedReason;
    if (tx.remoteStartId !== undefined && triggerReason === 'RemoteStart') info.remoteStartId = tx.remoteStartId;
    const p: Payload = {
      eventType, timestamp: this.station.now(), triggerReason, seqNo: tx.seqNo++, transactionInfo: info,
    };
    if (tx.pendingEvse) { p.evse = { id: this.id, connectorId: this.connectorId }; tx.pendingEvse = false; }
    if (tx.pendingIdToken && tx.idToken) { p.idToken = tx.idToken; tx.pendingIdToken = false; }
    if (tx.evConnected && this.model.current === 'AC') p.numberOfPhasesUsed = this.model.phases;
    if (context) {
      const mv = meterValue(this.physics, this.measurands(context), context, this.station.nowMs());
      if (mv) p.meterValue = [this.reported(mv, context)];
    }
    this.hooks?.decorate?.(p);
    this.station.enqueueTx(p);
  }

  private measurands(context: ReadingContext): readonly Measurand[] {
    const dm = this.station.dm;
    const base = context === 'Transaction.Begin' ? dm.txStartedMeasurands : context === 'Transaction.End' ? dm.txEndedMeasurands : dm.txUpdatedMeasurands;
    return this.hooks?.measurands ? this.hooks.measurands(context, base) : base;
  }

  /** Connector status change, reported with StatusNotification (valid in 2.0.1 and 2.1). */
  setStatus(s: ConnectorStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.reportStatus();
  }

  reportStatus(): void {
    const st = this.station;
    if (!st.online) return;
    void st.call('StatusNotification', { timestamp: st.now(), connectorStatus: this.status, evseId: this.id, connectorId: this.connectorId });
  }
}
