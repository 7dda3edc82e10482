/**
 * Local cost calculation (OCPP 2.1 block I, FLOWS.md §7.1): the running price of one transaction from its
 * tariff (TariffType as received), computed from the station's own metered energy and time. Pure: the EVSE feeds
 * usage segments (between two TransactionEvents power is constant, so energy grows linearly), and the calculator
 * cuts each segment exactly where a price condition flips (an energy, time, charging-time or idle-time threshold,
 * a time-of-day boundary, midnight), prices every piece with the first matching price element per dimension, and
 * reports `costDetails` (totalCost with taxes, totalUsage, chargingPeriods).
 *
 * Conventions: local time = UTC (the simulated stations keep UTC clocks); min* bounds inclusive, max* exclusive;
 * the fixed fee is charged once per transaction, from the tariff in force when billing began; money is rounded
 * to cents per component (tax on the rounded net), and a total is the sum of its rounded components.
 */
import type { Payload } from '../../ocpp/session.js';

/** One stretch of a transaction with constant power (ms, Wh, W, A). */
export interface UsageSegment {
  readonly startMs: number;
  readonly endMs: number;
  /** Energy imported during the segment (Wh, >= 0). */
  readonly energyWh: number;
  /** The EV was charging (chargingState Charging); otherwise the time is idle time. */
  readonly charging: boolean;
  readonly powerW: number;
  readonly currentA: number;
}

/** What the fixed-fee conditions and evseKind are checked against. */
export interface CostContext {
  readonly evseKind: 'AC' | 'DC';
  /** From the idToken's additionalInfo (ad hoc payment, FLOWS.md §7.2). */
  readonly paymentBrand?: string;
  readonly paymentRecognition?: string;
}

type Dim = 'energy' | 'chargingTime' | 'idleTime';
const DIMS: readonly Dim[] = ['energy', 'chargingTime', 'idleTime'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;

/** The usage so far at some instant: what the conditions compare. */
interface State { tMs: number; energyWh: number; elapsedMs: number; chargingMs: number; idleMs: number; powerW: number; currentA: number }

interface Period { tariffId: string; startMs: number; key: string; energyWh: number; chargingMs: number; idleMs: number }

export const round2 = (x: number): number => Math.round((x + Number.EPSILON) * 100) / 100;

/** Multiplier from net to gross for a component's taxRates: stack 0 on the net price, stack n on top of stack n-1. */
export function taxFactor(taxRates: readonly Payload[] | undefined): number {
  if (!taxRates || taxRates.length === 0) return 1;
  const byStack = new Map<number, number>();
  for (const t of taxRates) byStack.set(t.stack ?? 0, (byStack.get(t.stack ?? 0) ?? 0) + t.tax);
  let f = 1;
  for (const s of [...byStack.keys()].sort((a, b) => a - b)) f *= 1 + byStack.get(s)! / 100;
  return f;
}

/** "HH:MM" → ms after midnight; "00:00" as an end time means the end of the day. */
function timeOfDayMs(s: string, end: boolean): number {
  const m = /^(\d\d):(\d\d)$/.exec(s);
  const ms = m ? (Number(m[1]) * 60 + Number(m[2])) * 60_000 : 0;
  return end && ms === 0 ? DAY_MS : ms;
}

const dateMs = (s: string): number => Date.parse(`${s}T00:00:00Z`);

/** Whether the (energy/time) conditions of a price element hold in state `s`. */
export function conditionsHold(c: Payload | undefined, s: State, ctx: CostContext): boolean {
  if (!c) return true;
  if (c.evseKind !== undefined && c.evseKind !== ctx.evseKind) return false;
  if (c.dayOfWeek !== undefined && !c.dayOfWeek.includes(DAYS[new Date(s.tMs).getUTCDay()])) return false;
  if (c.validFromDate !== undefined && s.tMs < dateMs(c.validFromDate)) return false;
  if (c.validToDate !== undefined && s.tMs >= dateMs(c.validToDate)) return false;
  if (c.startTimeOfDay !== undefined || c.endTimeOfDay !== undefined) {
    const tod = ((s.tMs % DAY_MS) + DAY_MS) % DAY_MS;
    const from = c.startTimeOfDay !== undefined ? timeOfDayMs(c.startTimeOfDay, false) : 0;
    const to = c.endTimeOfDay !== undefined ? timeOfDayMs(c.endTimeOfDay, true) : DAY_MS;
    // End before start wraps around midnight.
    const inside = from <= to ? tod >= from && tod < to : tod >= from || tod < to;
    if (!inside) return false;
  }
  return within(s.energyWh, c.minEnergy, c.maxEnergy)
    && within(s.currentA, c.minCurrent, c.maxCurrent)
    && within(s.powerW, c.minPower, c.maxPower)
    && within(s.elapsedMs / 1000, c.minTime, c.maxTime)
    && within(s.chargingMs / 1000, c.minChargingTime, c.maxChargingTime)
    && within(s.idleMs / 1000, c.minIdleTime, c.maxIdleTime);
}

function within(x: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || x >= min) && (max === undefined || x < max);
}

/** Whether the fixed-fee conditions hold at `tMs`. */
function fixedConditionsHold(c: Payload | undefined, tMs: number, ctx: CostContext): boolean {
  if (!c) return true;
  if (c.paymentBrand !== undefined && c.paymentBrand !== ctx.paymentBrand) return false;
  if (c.paymentRecognition !== undefined && c.paymentRecognition !== ctx.paymentRecognition) return false;
  const s: State = { tMs, energyWh: 0, elapsedMs: 0, chargingMs: 0, idleMs: 0, powerW: 0, currentA: 0 };
  return conditionsHold(c, s, ctx);
}

/** The running cost of one transaction. */
export class CostCalculator {
  private tariff: Payload;
  private readonly ctx: CostContext;
  private readonly startMs: number;
  private readonly s: State;
  /** Net cost per dimension so far (unrounded), and each tariff's tax factor applied as it accrued (gross). */
  private readonly net: Record<Dim, number> = { energy: 0, chargingTime: 0, idleTime: 0 };
  private readonly gross: Record<Dim, number> = { energy: 0, chargingTime: 0, idleTime: 0 };
  private readonly fixedNet: number;
  private readonly fixedGross: number;
  private readonly periods: Period[] = [];

  /** Billing starts at `startMs` under `tariff`. */
  constructor(tariff: Payload, ctx: CostContext, startMs: number) {
    this.tariff = tariff;
    this.ctx = ctx;
    this.startMs = startMs;
    this.s = { tMs: startMs, energyWh: 0, elapsedMs: 0, chargingMs: 0, idleMs: 0, powerW: 0, currentA: 0 };
    const fixed = (tariff.fixedFee?.prices as Payload[] | undefined)?.find((p) => fixedConditionsHold(p.conditions, startMs, ctx));
    this.fixedNet = fixed?.priceFixed ?? 0;
    this.fixedGross = this.fixedNet * taxFactor(tariff.fixedFee?.taxRates);
  }

  get tariffId(): string { return this.tariff.tariffId; }
  get currency(): string { return this.tariff.currency; }
  get energyWh(): number { return this.s.energyWh; }

  /** ChangeTransactionTariff (I08): usage from `atMs` on is priced with `tariff`; what accrued stays. */
  changeTariff(tariff: Payload): void {
    this.tariff = tariff;
  }

  /** Adds one segment of constant power (its start must be where the previous one ended). */
  add(seg: UsageSegment): void {
    const dur = seg.endMs - seg.startMs;
    if (dur <= 0) return;
    const cuts = this.breakpoints(seg, dur);
    let prev = 0;
    for (const cut of [...cuts, dur]) {
      if (cut - prev > 0) this.addPiece(seg, dur, prev, cut);
      prev = cut;
    }
  }

  /** Offsets (ms, strictly inside the segment, sorted) where some condition of the tariff may change value. */
  private breakpoints(seg: UsageSegment, dur: number): number[] {
    const s = this.s;
    const out = new Set<number>();
    const at = (x: number): void => { if (x > 0 && x < dur) out.add(x); };
    for (const c of this.allConditions()) {
      for (const wh of [c.minEnergy, c.maxEnergy]) {
        if (wh !== undefined && seg.energyWh > 0) at(((wh - s.energyWh) / seg.energyWh) * dur);
      }
      for (const t of [c.minTime, c.maxTime]) if (t !== undefined) at(t * 1000 - s.elapsedMs);
      if (seg.charging) for (const t of [c.minChargingTime, c.maxChargingTime]) { if (t !== undefined) at(t * 1000 - s.chargingMs); }
      else for (const t of [c.minIdleTime, c.maxIdleTime]) { if (t !== undefined) at(t * 1000 - s.idleMs); }
      const tods: number[] = [];
      if (c.startTimeOfDay !== undefined) tods.push(timeOfDayMs(c.startTimeOfDay, false));
      if (c.endTimeOfDay !== undefined) tods.push(timeOfDayMs(c.endTimeOfDay, true) % DAY_MS);
      if (c.dayOfWeek !== undefined || c.validFromDate !== undefined || c.validToDate !== undefined) tods.push(0);
      const day0 = Math.floor(seg.startMs / DAY_MS) * DAY_MS;
      for (let d = day0; d < seg.endMs; d += DAY_MS) for (const tod of tods) at(d + tod - seg.startMs);
    }
    return [...out].sort((a, b) => a - b);
  }

  private *allConditions(): Generator<Payload> {
    for (const d of DIMS) for (const p of (this.tariff[d]?.prices as Payload[] | undefined) ?? []) if (p.conditions) yield p.conditions;
  }

  /** Prices the piece [from, to) of a segment by the conditions at its middle, then advances the usage state. */
  private addPiece(seg: UsageSegment, dur: number, from: number, to: number): void {
    const s = this.s;
    const len = to - from;
    const wh = seg.energyWh * (len / dur);
    const mid: State = {
      tMs: seg.startMs + (from + to) / 2, energyWh: s.energyWh + wh / 2, elapsedMs: s.elapsedMs + len / 2,
      chargingMs: s.chargingMs + (seg.charging ? len / 2 : 0), idleMs: s.idleMs + (seg.charging ? 0 : len / 2),
      powerW: seg.powerW, currentA: seg.currentA,
    };
    const t = this.tariff;
    const energy = this.pick('energy', mid);
    const time = this.pick(seg.charging ? 'chargingTime' : 'idleTime', mid);
    if (energy) this.accrue('energy', (wh / 1000) * energy.priceKwh);
    if (time) this.accrue(seg.charging ? 'chargingTime' : 'idleTime', (len / 60_000) * time.priceMinute);
    // A new charging period whenever the tariff, a price element in use, or charging/idle changes.
    const key = `${t.tariffId}|${energy?.i ?? -1}|${seg.charging ? 'c' : 'i'}${time?.i ?? -1}`;
    let p = this.periods[this.periods.length - 1];
    if (!p || p.key !== key) {
      p = { tariffId: t.tariffId, startMs: seg.startMs + from, key, energyWh: 0, chargingMs: 0, idleMs: 0 };
      this.periods.push(p);
    }
    p.energyWh += wh;
    if (seg.charging) p.chargingMs += len; else p.idleMs += len;
    s.tMs = seg.startMs + to;
    s.energyWh += wh;
    s.elapsedMs += len;
    if (seg.charging) s.chargingMs += len; else s.idleMs += len;
  }

  private pick(d: Dim, s: State): (Payload & { i: number }) | undefined {
    const prices = this.tariff[d]?.prices as Payload[] | undefined;
    if (!prices) return undefined;
    const i = prices.findIndex((p) => conditionsHold(p.conditions, s, this.ctx));
    return i < 0 ? undefined : { ...prices[i]!, i };
  }

  private accrue(d: Dim, netCost: number): void {
    this.net[d] += netCost;
    this.gross[d] += netCost * taxFactor(this.tariff[d]?.taxRates);
  }

  /** totalCost (TotalCostType): components rounded to cents, the total their sum, bounded by minCost/maxCost. */
  totalCost(): Payload {
    const out: Payload = { currency: this.currency, typeOfCost: 'NormalCost' };
    let excl = 0;
    let incl = 0;
    let sumNet = 0;
    let sumGross = 0;
    const put = (name: string, n: number, g: number, present: boolean): void => {
      if (!present) return;
      sumNet += n;
      sumGross += g;
      // Tax on the rounded net amount, as a receipt shows it (FLOWS.md §7.1: 8.10 → 9.80, 0.35 → 0.42).
      const exclTax = round2(n);
      const price = { exclTax, inclTax: n === 0 ? 0 : round2(exclTax * (g / n)) };
      out[name] = price;
      excl += price.exclTax;
      incl += price.inclTax;
    };
    const t = this.tariff;
    put('fixed', this.fixedNet, this.fixedGross, this.fixedNet !== 0);
    for (const d of DIMS) put(d, this.net[d], this.gross[d], this.net[d] !== 0 || t[d] !== undefined);
    let total = { exclTax: round2(excl), inclTax: round2(incl) };
    // A bound given without tax gets the session's own (weighted) tax rate, from the unrounded amounts.
    const ratio = sumNet > 0 ? sumGross / sumNet : 1;
    const below = (cap: Payload): boolean => cap.exclTax !== undefined ? total.exclTax < cap.exclTax : total.inclTax < cap.inclTax;
    const above = (cap: Payload): boolean => cap.exclTax !== undefined ? total.exclTax > cap.exclTax : total.inclTax > cap.inclTax;
    const capped = (cap: Payload) => ({
      exclTax: cap.exclTax ?? round2(cap.inclTax / ratio), inclTax: cap.inclTax ?? round2(cap.exclTax * ratio),
    });
    if (t.minCost && below(t.minCost)) { total = capped(t.minCost); out.typeOfCost = 'MinCost'; }
    else if (t.maxCost && above(t.maxCost)) { total = capped(t.maxCost); out.typeOfCost = 'MaxCost'; }
    out.total = total;
    return out;
  }

  /** totalUsage (TotalUsageType): energy (Wh), charging and idle time (whole seconds). */
  totalUsage(): Payload {
    const s = this.s;
    return { energy: Math.round(s.energyWh * 1000) / 1000, chargingTime: Math.round(s.chargingMs / 1000), idleTime: Math.round(s.idleMs / 1000) };
  }

  /** costDetails for a TransactionEvent: running (no chargingPeriods) or final (with them). */
  costDetails(final: boolean): Payload {
    const d: Payload = { totalCost: this.totalCost(), totalUsage: this.totalUsage() };
    if (final && this.periods.length > 0) d.chargingPeriods = this.periods.map(periodPayload);
    return d;
  }

  /** The final amount to pay (total including tax). */
  get totalInclTax(): number { return this.totalCost().total.inclTax; }

  /** Billing start (ms). */
  get billingStartMs(): number { return this.startMs; }
}

function periodPayload(p: Period): Payload {
  const dimensions: Payload[] = [{ type: 'Energy', volume: Math.round(p.energyWh * 1000) / 1000 }];
  if (p.chargingMs > 0) dimensions.push({ type: 'ChargingTime', volume: Math.round(p.chargingMs / 1000) });
  // The schema's spelling (FLOWS.md §7.1).
  if (p.idleMs > 0) dimensions.push({ type: 'IdleTIme', volume: Math.round(p.idleMs / 1000) });
  return { tariffId: p.tariffId, startPeriod: new Date(Math.round(p.startMs / 1000) * 1000).toISOString().replace('.000Z', 'Z'), dimensions };
}
