/**
 * Station-wide state of a `battery-swap` station (FLOWS.md §6): its battery stock in the slots (battery-swap-rack.ts)
 * and one swap lane. A car arrives (Poisson, `sessions.arrivalsPerEvsePerHour` per station), the driver's idToken
 * is authorized (Authorize → Accepted), the depleted battery goes into a free slot (BatterySwap BatteryIn, slot
 * Occupied, slot transaction Started) and a charged one comes out of another (slot transaction Ended, BatterySwap
 * BatteryOut, slot Available) — or is not taken in time (BatteryOutTimeout). RequestBatterySwap from the CSMS
 * starts the same swap for an app user with the CSMS's requestId and no Authorize. The swap itself is not a
 * transaction. BatterySwap is 2.1-only: on 2.0.1 the swap still happens but the message is skipped and counted.
 */
import { isoTime } from '../../util/clock.js';
import { Rng, mixSeed } from '../../util/rng.js';
import type { TimelineTarget } from '../../util/timeline.js';
import type { Payload } from '../../ocpp/session.js';
import type { BatterySwapGroupSpec } from '../../scenario/spec.js';
import { draw, pickToken, type IdToken } from '../draw.js';
import type { ConnectorStatus } from '../evse.js';
import type { Station } from '../station.js';
import { batteryData, Slot, type Battery } from './battery-swap-rack.js';

const T_ARRIVAL = 1;
const T_AUTHORIZE = 2;
const T_INSERT = 3;
const T_TAKE = 4;
const T_OUT_TIMEOUT = 5;
const T_METER = 6;
const T_FULL = 7;

const DAY_MS = 86_400_000;
/** Battery production dates: up to four years before the run (a rack ages its stock). */
const MAX_AGE_DAYS = 4 * 365;

interface Swap {
  readonly requestId: number;
  readonly idToken: IdToken;
  readonly remote: boolean;
  /** The battery the car brings (drawn at arrival) and the slots chosen for it and for the charged one. */
  readonly incoming: Battery;
  inSlot: Slot;
  outSlot: Slot;
  step: 'authorizing' | 'inserting' | 'taking' | 'waiting';
}

export class SwapStationState implements TimelineTarget {
  readonly st: Station;
  readonly spec: BatterySwapGroupSpec;
  readonly slots: Slot[];
  private readonly rng: Rng;
  private swap: Swap | null = null;
  private stocked = false;
  private batteriesMade = 0;
  private swapsStarted = 0;
  private arrivalToken = -1;
  private meterToken = -1;
  private swapToken = -1;
  private readonly fullTokens: number[];

  constructor(st: Station) {
    this.st = st;
    this.spec = st.plan.group.swap!;
    this.rng = new Rng(mixSeed(st.ctx.spec.seed, st.plan.index, 0x5a9));
    this.slots = st.evses.map((e) => new Slot(e));
    this.fullTokens = this.slots.map(() => -1);
  }

  private get sink() { return this.st.ctx.sink; }
  private get timeline() { return this.st.ctx.timeline; }
  get busy(): boolean { return this.swap !== null; }

  /** The station was accepted: stock the racks (first boot), report the slots, start arrivals and metering. */
  onOnline(): void {
    const max = this.spec.maxSocPct;
    if (!this.stocked) {
      this.stocked = true;
      const filled = this.slots.length - this.spec.emptySlots;
      // The rack never charged its stock beyond MaxSoc.
      for (let i = 0; i < filled; i++) this.slots[i]!.insert(this.newBattery(this.spec.stockSocPct, max), max);
    } else {
      for (const s of this.slots) s.resume(max);
    }
    // Evse.powerOn left every slot Available (and boot reported that): correct the slots holding a battery.
    for (const s of this.slots) if (s.evse.operative) this.setSlotStatus(s, s.battery ? 'Occupied' : 'Available');
    this.armFullTimers();
    if (this.meterToken === -1) this.meterToken = this.timeline.after(this.meterMs(), this, T_METER);
    if (this.arrivalToken === -1 && this.st.ctx.spec.workload.executor === 'sessions') this.scheduleArrival();
  }

  onTimer(kind: number, arg: number): void {
    if (this.st.link === 'stopped') {
      // Powered down: every process stops here and starts again from onOnline(); a swap under way is lost.
      if (kind === T_ARRIVAL) this.arrivalToken = -1;
      else if (kind === T_METER) this.meterToken = -1;
      else if (kind === T_FULL) this.fullTokens[arg] = -1;
      else this.swap = null;
      return;
    }
    switch (kind) {
      case T_ARRIVAL: this.arrivalToken = -1; this.onArrival(); return;
      case T_AUTHORIZE: void this.authorize(); return;
      case T_INSERT: this.insert(); return;
      case T_TAKE: this.take(); return;
      case T_OUT_TIMEOUT: this.outTimeout(); return;
      case T_METER: this.meterTick(); return;
      case T_FULL: this.fullTokens[arg] = -1; this.slotFull(arg); return;
    }
  }

  // ------------------------------------------------------------------------------------------------- swaps

  private scheduleArrival(): void {
    const perHour = this.st.ctx.spec.sessions.arrivalsPerEvsePerHour;
    if (perHour > 0) this.arrivalToken = this.timeline.after(this.rng.exponential(3_600_000 / perHour), this, T_ARRIVAL);
  }

  private onArrival(): void {
    this.scheduleArrival();
    // One swap lane: a car arriving while it is taken goes elsewhere (like an arrival at a busy EVSE).
    if (!this.st.online || this.st.draining || this.swap) return;
    const token = pickToken(this.st.ctx.spec.sessions.idTokens, this.st.ctx.spec.seed, this.rng, this.st.tokenShare(1));
    if (!this.begin(this.localRequestId(), token, false)) this.sink.count('battery_swaps_refused');
  }

  /**
   * Starts a swap if a charged battery and a free slot exist: `remote` (RequestBatterySwap) skips Authorize.
   * Returns false (and starts nothing) when the station cannot swap now.
   */
  begin(requestId: number, idToken: IdToken, remote: boolean): boolean {
    if (this.swap) return false;
    const outSlot = this.chargedSlot();
    const inSlot = this.slots.find((s) => s.battery === null && s.evse.operative);
    if (!outSlot || !inSlot) return false;
    this.swapsStarted++;
    const incoming = this.newBattery(this.spec.arrivalSocPct);
    this.swap = { requestId, idToken, remote, incoming, inSlot, outSlot, step: remote ? 'inserting' : 'authorizing' };
    if (remote) this.armInsert();
    else this.swapToken = this.timeline.after(draw(this.st.ctx.spec.sessions.authorizeDelay, this.rng), this, T_AUTHORIZE);
    return true;
  }

  /** The idToken is presented at the station: Authorize (FLOWS.md §3.2, §6 "Local"). */
  private async authorize(): Promise<void> {
    const sw = this.swap;
    if (!sw || sw.step !== 'authorizing') return;
    const out = this.st.online ? await this.st.call('Authorize', { idToken: sw.idToken }) : null;
    if (this.swap !== sw) return;
    const status = out?.ok ? out.payload.idTokenInfo?.status : undefined;
    if (status !== 'Accepted') {
      this.sink.count(out?.ok ? 'authorize_rejected' : 'authorize_failed');
      this.swap = null;
      return;
    }
    sw.step = 'inserting';
    this.armInsert();
  }

  /** Timeout[In]: a driver slower than it aborts the swap silently (nothing was reported yet). */
  private armInsert(): void {
    const ms = draw(this.spec.handling, this.rng);
    if (ms > this.spec.insertTimeout) {
      this.swapToken = -1;
      this.sink.count('battery_swaps_aborted');
      this.swap = null;
      return;
    }
    this.swapToken = this.timeline.after(ms, this, T_INSERT);
  }

  /** The depleted battery goes in: BatteryIn, slot Occupied, its transaction Started (FLOWS.md §6 order). */
  private insert(): void {
    const sw = this.swap;
    if (!sw || sw.step !== 'inserting') return;
    const b = sw.incoming;
    this.sink.add('battery_energy_in_wh', (b.socPct / 100) * b.capacityWh);
    this.send21({ eventType: 'BatteryIn', requestId: sw.requestId, idToken: sw.idToken, batteryData: [batteryData(b, sw.inSlot.id)] });
    this.setSlotStatus(sw.inSlot, 'Occupied');
    sw.inSlot.insert(b, this.spec.maxSocPct);
    this.armFull(sw.inSlot);
    sw.step = 'taking';
    if (this.rng.next() < this.spec.abandonRatio) {
      sw.step = 'waiting';
      this.swapToken = this.timeline.after(this.spec.takeTimeout, this, T_OUT_TIMEOUT);
    } else {
      this.swapToken = this.timeline.after(Math.min(draw(this.spec.handling, this.rng), this.spec.takeTimeout), this, T_TAKE);
    }
  }

  /** The driver takes the charged battery: its slot transaction Ended, BatteryOut, slot Available. */
  private take(): void {
    const sw = this.swap;
    if (!sw || sw.step !== 'taking') return;
    this.swap = null;
    const slot = sw.outSlot;
    this.disarmFull(slot);
    const b = slot.remove();
    if (!b) return;
    this.send21({ eventType: 'BatteryOut', requestId: sw.requestId, idToken: sw.idToken, batteryData: [batteryData(b, slot.id)] });
    this.setSlotStatus(slot, 'Available');
    this.sink.count('battery_swaps');
    this.sink.add('battery_energy_out_wh', (b.socPct / 100) * b.capacityWh);
  }

  /** Timeout[Out]: the charged battery was not taken; it stays in its slot and keeps charging. */
  private outTimeout(): void {
    const sw = this.swap;
    if (!sw || sw.step !== 'waiting') return;
    this.swap = null;
    const slot = sw.outSlot;
    slot.advance();
    this.send21({ eventType: 'BatteryOutTimeout', requestId: sw.requestId, idToken: sw.idToken, batteryData: [batteryData(slot.battery!, slot.id)] });
    this.sink.count('battery_swap_timeouts');
  }

  /** The fullest battery at or above TargetSoc, not the one just put in. */
  private chargedSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (!s.battery || !s.evse.operative) continue;
      s.advance();
      if (s.socPct >= this.spec.targetSocPct && (!best || s.socPct > best.socPct)) best = s;
    }
    return best;
  }

  /** Whether a swap could start now (RequestBatterySwap's answer). */
  canSwap(): boolean {
    return this.st.online && !this.swap && this.chargedSlot() !== undefined && this.slots.some((s) => s.battery === null && s.evse.operative);
  }

  /** BatterySwap (2.1 only): skipped and counted on 2.0.1, dropped while offline (the swap still happens). */
  private send21(p: Payload): void {
    const st = this.st;
    if (st.version !== '2.1') { this.sink.count('usecase_skipped_201'); return; }
    if (!st.online) return;
    void st.call('BatterySwap', p);
  }

  // ----------------------------------------------------------------------------------------------- slots

  private setSlotStatus(s: Slot, status: ConnectorStatus): void {
    if (s.evse.status === status) return;
    s.evse.status = status;
    this.report(s);
  }

  /**
   * Slot availability: Occupied = battery present, Available = empty (FLOWS.md §6). 2.1 reports it with
   * NotifyEvent(Connector.AvailabilityState), 2.0.1 with StatusNotification (FLOWS.md §1.8).
   */
  private report(s: Slot): void {
    const st = this.st;
    const e = s.evse;
    if (!st.online) return;
    if (st.version !== '2.1') { e.reportStatus(); return; }
    const now = st.now();
    void st.call('NotifyEvent', {
      generatedAt: now, seqNo: 0, tbc: false,
      eventData: [{
        eventId: this.nextEventId(), timestamp: now, trigger: 'Delta', actualValue: e.status, eventNotificationType: 'HardWiredNotification',
        component: { name: 'Connector', evse: { id: e.id, connectorId: e.connectorId } }, variable: { name: 'AvailabilityState' },
      }],
    });
  }

  private eventIds = 0;
  private nextEventId(): number { return ++this.eventIds; }

  private meterMs(): number {
    return Math.max(1, this.st.dm.txUpdatedIntervalS) * 1000;
  }

  private meterTick(): void {
    this.meterToken = this.timeline.after(this.meterMs(), this, T_METER);
    for (const s of this.slots) s.meterTick();
  }

  private armFullTimers(): void {
    for (const s of this.slots) this.armFull(s);
  }

  /** Reports MaxSoc when the battery gets there, not at the next meter sample. */
  private armFull(s: Slot): void {
    const i = s.id - 1;
    this.timeline.cancel(this.fullTokens[i]!);
    const ms = s.msUntilFull();
    this.fullTokens[i] = Number.isFinite(ms) ? this.timeline.after(Math.ceil(ms) + 1, this, T_FULL, i) : -1;
  }

  private disarmFull(s: Slot): void {
    this.timeline.cancel(this.fullTokens[s.id - 1]!);
    this.fullTokens[s.id - 1] = -1;
  }

  private slotFull(i: number): void {
    const s = this.slots[i]!;
    if (s.advance()) s.reachedMax();
    else this.armFull(s);
  }

  // -------------------------------------------------------------------------------------------- batteries

  private newBattery(soc: BatterySwapGroupSpec['stockSocPct'], maxSocPct = 100): Battery {
    const n = this.batteriesMade++;
    const st = this.st;
    const age = Math.floor(this.rng.uniform(30, MAX_AGE_DAYS));
    const produced = Math.floor((st.nowMs() - age * DAY_MS) / DAY_MS) * DAY_MS;
    // Serial numbers are unique over the fleet: station index and a per-station count.
    return {
      serialNumber: `BAT-${String(st.plan.index).padStart(6, '0')}-${String(n).padStart(5, '0')}`,
      capacityWh: draw(this.spec.batteryWh, this.rng),
      sohPct: Math.min(100, Math.max(0, draw(this.spec.sohPct, this.rng))),
      productionDate: isoTime(produced),
      socPct: Math.min(maxSocPct, Math.max(0, draw(soc, this.rng))),
    };
  }

  /** A station-picked requestId for a local swap, reused for BatteryIn/Out/OutTimeout (FLOWS.md §6). */
  private localRequestId(): number {
    // Above the CSMS's own small requestIds (RequestBatterySwap), below 2^31.
    return 1_000_000_000 + (this.st.plan.index % 100_000) * 10_000 + (this.swapsStarted % 10_000);
  }
}

const STATES = new WeakMap<Station, SwapStationState>();

/** The battery-swap state of a station (created on first use). */
export function swapStation(st: Station): SwapStationState {
  let s = STATES.get(st);
  if (!s) STATES.set(st, (s = new SwapStationState(st)));
  return s;
}
