/**
 * The racks of a battery-swap station (FLOWS.md §6, S04): every EVSE is a battery slot, and a battery in a slot is
 * charged in a transaction of its own — TxStartPoint = TxStopPoint = EVConnected: Started (CablePluggedIn,
 * Charging, the station's BatterySwapCtrlr.IdToken) when it goes in, Updated with SoC meter values while it charges,
 * Updated SuspendedEVSE / EnergyLimitReached at BatterySwapCtrlr.MaxSoc, Ended (EVCommunicationLost, EVDisconnected)
 * when it is taken out. The slot's EvsePhysics charges the battery (its meter register keeps the energy).
 */
import { randomUUID } from 'node:crypto';
import type { Payload } from '../../ocpp/session.js';
import type { Evse } from '../evse.js';
import { meterValue, type Measurand, type ReadingContext } from '../meter.js';
import type { Station } from '../station.js';

/** One swappable battery pack: identity and health are fixed, its SoC changes (kept here while out of a slot). */
export interface Battery {
  readonly serialNumber: string;
  readonly capacityWh: number;
  readonly sohPct: number;
  readonly productionDate: string;
  socPct: number;
}

interface SlotTx {
  readonly id: string;
  seqNo: number;
  startRegisterWh: number;
  lastAdvanceMs: number;
  full: boolean;
}

const BEGIN_END: readonly Measurand[] = Object.freeze(['Energy.Active.Import.Register', 'SoC']);
const UPDATED: readonly Measurand[] = Object.freeze(['Energy.Active.Import.Register', 'Power.Active.Import', 'SoC']);
/** The idToken of slot charging when the device model has no BatterySwapCtrlr.IdToken (≤ 36 chars: valid in 2.0.1). */
const SLOT_TOKEN = 'BATTERY-SWAP-RACK';

/** BatteryDataType of a battery in (or leaving) slot `evseId`. */
export function batteryData(b: Battery, evseId: number): Payload {
  return {
    evseId, serialNumber: b.serialNumber, soC: Math.round(Math.min(100, Math.max(0, b.socPct)) * 10) / 10,
    soH: Math.round(b.sohPct * 10) / 10, productionDate: b.productionDate,
  };
}

/** One slot: at most one battery, charged by the slot's EVSE in its own transaction. */
export class Slot {
  readonly evse: Evse;
  battery: Battery | null = null;
  private tx: SlotTx | null = null;

  constructor(evse: Evse) { this.evse = evse; }

  get id(): number { return this.evse.id; }
  private get st(): Station { return this.evse.station; }
  private get physics() { return this.evse.physics; }
  /** SoC (%) of the battery in the slot, settled up to the last advance. */
  get socPct(): number { return this.battery?.socPct ?? 0; }
  get charging(): boolean { return this.tx !== null && !this.tx.full; }

  /** A battery goes in: the slot charges it up to `maxSocPct` in a new transaction. */
  insert(b: Battery, maxSocPct: number): void {
    this.battery = b;
    this.plug(maxSocPct);
    const now = this.st.nowMs();
    this.tx = { id: randomUUID(), seqNo: 0, startRegisterWh: this.physics.registerWh, lastAdvanceMs: now, full: false };
    this.st.ctx.sink.count('tx_started');
    this.emit('Started', 'CablePluggedIn', 'Transaction.Begin');
    if (this.physics.state !== 'Charging') this.reachedMax();
  }

  /** The battery is taken out: the transaction ends; returns the battery with its SoC now. */
  remove(): Battery | null {
    const b = this.battery;
    if (!b) return null;
    this.advance();
    if (this.tx) {
      this.emit('Ended', 'EVCommunicationLost', 'Transaction.End', 'EVDisconnected');
      this.st.ctx.sink.count('tx_ended');
      this.st.ctx.sink.add('energy_wh', this.physics.registerWh - this.tx.startRegisterWh);
      this.tx = null;
    }
    this.physics.energize(false);
    if (this.physics.connected) this.physics.unplug();
    this.battery = null;
    return b;
  }

  /**
   * After a power cycle the EVSE lost its battery connection (Evse.powerOn unplugs): the old transaction ended
   * with the power loss and a new one starts for the battery still in the slot.
   */
  resume(maxSocPct: number): void {
    const b = this.battery;
    if (!b || this.physics.connected) return;
    if (this.tx) {
      this.emit('Ended', 'AbnormalCondition', 'Transaction.End', 'PowerLoss');
      this.st.ctx.sink.count('tx_ended');
      this.st.ctx.sink.add('energy_wh', this.physics.registerWh - this.tx.startRegisterWh);
      this.tx = null;
    }
    this.battery = null;
    this.insert(b, maxSocPct);
  }

  /** Settles the energy up to now into the battery's SoC; true when it just reached MaxSoc. */
  advance(): boolean {
    const tx = this.tx;
    const b = this.battery;
    if (!tx || !b) return false;
    const now = this.st.nowMs();
    const dt = now - tx.lastAdvanceMs;
    tx.lastAdvanceMs = now;
    if (dt > 0) this.physics.advance(dt);
    b.socPct = this.physics.socPct ?? b.socPct;
    return !tx.full && this.physics.state !== 'Charging';
  }

  /** Periodic meter values of the slot's transaction (TxUpdatedInterval). */
  meterTick(): void {
    if (!this.tx) return;
    if (this.advance()) { this.reachedMax(); return; }
    this.emit('Updated', 'MeterValuePeriodic', 'Sample.Periodic');
  }

  /** Milliseconds until the battery reaches MaxSoc at the present power (Infinity when not charging). */
  msUntilFull(): number {
    return this.tx && !this.tx.full ? this.physics.msUntilSuspended() : Infinity;
  }

  /** MaxSoc reached: the EVSE stops charging (S04). */
  reachedMax(): void {
    const tx = this.tx;
    if (!tx || tx.full) return;
    tx.full = true;
    this.physics.energize(false);
    this.emit('Updated', 'EnergyLimitReached', 'Sample.Periodic', undefined, 'SuspendedEVSE');
  }

  private plug(maxSocPct: number): void {
    const b = this.battery!;
    const ph = this.physics;
    if (ph.connected) ph.unplug();
    ph.plugIn({
      batteryWh: b.capacityWh, initialSocPct: b.socPct,
      carMaxPowerW: this.evse.model.maxPowerW, targetEnergyWh: Math.max(0, ((maxSocPct - b.socPct) / 100) * b.capacityWh),
    });
    ph.energize(true);
  }

  private emit(eventType: 'Started' | 'Updated' | 'Ended', triggerReason: string, context: ReadingContext, stoppedReason?: string, state?: string): void {
    const tx = this.tx!;
    const st = this.st;
    const info: Payload = { transactionId: tx.id };
    info.chargingState = state ?? (eventType === 'Ended' ? 'Idle' : tx.full ? 'SuspendedEVSE' : 'Charging');
    if (stoppedReason) info.stoppedReason = stoppedReason;
    const p: Payload = { eventType, timestamp: st.now(), triggerReason, seqNo: tx.seqNo++, transactionInfo: info };
    if (eventType === 'Started') {
      p.evse = { id: this.id, connectorId: this.evse.connectorId };
      p.idToken = { idToken: st.dm.value('BatterySwapCtrlr', 'IdToken') ?? SLOT_TOKEN, type: 'Central' };
    }
    const mv = meterValue(this.physics, eventType === 'Updated' ? UPDATED : BEGIN_END, context, st.nowMs());
    if (mv) p.meterValue = [mv];
    st.enqueueTx(p);
  }
}
