import { Category } from './alert.js';
import { r1, recentlyCommanded, stationEntity, type Ctx } from './context.js';
import type { Sample } from './sample.js';
import type { EvseDet, StationDet, TxDet } from './station.js';

const MS_PER_H = 3_600_000;
/** Below this the EVSE counts as off (oscillation, frozen-meter checks). */
const ON_W = 500;
const AC_VOLTS = 230;
/** Readings are rounded to 0.1 Wh; two of them bound ΔE's rounding error. */
const REGISTER_RESOLUTION_WH = 0.2;

/** EVSE rating (W): the model class (`AC22-…`), else AC phases × 230 V × acMaxAmps, else the DC cap. */
export function ratingW(ctx: Ctx, sd: StationDet, e: EvseDet): { w: number; source: string } {
  if (!Number.isNaN(sd.modelRatingW)) return { w: sd.modelRatingW, source: 'model' };
  if (e.kind === 1) return { w: e.phases * AC_VOLTS * ctx.t.acMaxAmps, source: 'ac-class' };
  return { w: ctx.t.dcMaxPowerW, source: 'dc-cap' };
}

function hold(ctx: Ctx, tx: TxDet | null): void {
  if (tx === null || tx.hold) return;
  tx.hold = true;
  ctx.actions.billingHolds++;
}

function evidence(rule: string, sd: StationDet, e: EvseDet, tx: TxDet | null, values: Record<string, unknown>): Record<string, unknown> {
  return { rule, evseId: e.id, ...(tx ? { transactionId: tx.id } : {}), ...values, ...(sd.model ? { model: sd.model } : {}) };
}

/**
 * Checks of one reading on its own (A09, A12a): power within the rating and within V·I, SoC within 0-100, the
 * register never below its highest reading, power within the last accepted charging-profile limit after a grace.
 */
export function instantRules(ctx: Ctx, sd: StationDet, e: EvseDet, tx: TxDet | null, s: Sample, nowMs: number): void {
  const t = ctx.t;
  if (s.ac) { e.kind = 1; if (s.phases > 0) e.phases = s.phases; }
  const p = s.powerW;
  if (!Number.isNaN(p)) {
    const rating = ratingW(ctx, sd, e);
    const limit = rating.w * (1 + t.powerTol) + t.powerSlackW;
    const impossible = p > limit;
    if (impossible) {
      hold(ctx, tx);
      ctx.alert(nowMs, Category.impossiblePhysics, 'high', stationEntity(sd, e.id),
        evidence('L1.power-rating', sd, e, tx, { powerW: r1(p), ratingW: rating.w, ratingSource: rating.source, limitW: r1(limit) }), p / rating.w);
    }
    if (!Number.isNaN(s.viW) && p > s.viW * (1 + t.powerTol) + t.powerSlackW) {
      hold(ctx, tx);
      ctx.alert(nowMs, Category.impossiblePhysics, 'high', stationEntity(sd, e.id),
        evidence('L1.power-vi', sd, e, tx, { powerW: r1(p), viW: r1(s.viW), currentA: r1(s.currentA), voltageV: r1(s.voltageV) }), p / Math.max(1, s.viW));
    }
    const lim = sd.profileLimitW;
    // Judged only `profileGraceMs` after the limit was set and after our last command (a new profile may be on its way).
    // A power no EVSE of this rating can draw is a false reading (impossible-physics above), not a draw above the limit.
    if (!impossible && !Number.isNaN(lim) && nowMs - Math.max(sd.profileSetMs, sd.lastPowerCommandMs) >= t.profileGraceMs && (sd.profileTxId === null || sd.profileTxId === tx?.id)
      && p > lim * (1 + t.powerTol) + t.powerSlackW) {
      ctx.alert(nowMs, Category.loadAltering, 'high', stationEntity(sd, e.id),
        evidence('L1.profile-limit', sd, e, tx, { powerW: r1(p), limitW: lim, setAgoMs: nowMs - sd.profileSetMs }), p / Math.max(1, lim));
    }
  }
  if (!Number.isNaN(s.soc) && (s.soc < 0 || s.soc > 100)) {
    hold(ctx, tx);
    ctx.alert(nowMs, Category.impossiblePhysics, 'medium', stationEntity(sd, e.id), evidence('L1.soc-range', sd, e, tx, { soc: s.soc }));
  }
  if (!Number.isNaN(s.wh)) {
    if (!Number.isNaN(e.maxWh) && s.wh < e.maxWh - t.registerEpsWh) {
      hold(ctx, tx);
      ctx.alert(nowMs, Category.underReporting, 'high', stationEntity(sd, e.id),
        evidence('L1.register-decrease', sd, e, tx, { registerWh: r1(s.wh), previousMaxWh: r1(e.maxWh), deltaWh: r1(s.wh - e.maxWh) }));
    }
    if (!(s.wh <= e.maxWh)) e.maxWh = s.wh;
  }
}

/**
 * Checks of the interval between the previous sample of the same transaction and this one, when no event of the
 * transaction was lost in between (seqNo contiguous). Power reported at a sample is taken to hold piecewise and
 * monotonically over the interval, so ΔE lies in [min(P0,P1)·Δt, max(P0,P1)·Δt] (± tolerance):
 * - ΔE ≤ rating·Δt (A09), ΔE above the envelope (A09), ΔE below it (A08) or a CUSUM of the shortfall (subtle A08);
 * - the previous reading handed over again (same meter timestamp and values) while power flows → frozen meter
 *   (F01, maintenance); a register standing still under fresh timestamps is under-reporting (A08);
 * - SoC falling while charging, or rising faster than the energy allows (A09).
 */
export function intervalRules(ctx: Ctx, sd: StationDet, e: EvseDet, tx: TxDet | null, s: Sample, nowMs: number): void {
  const t = ctx.t;
  const dtMs = s.tsMs - e.tsMs;
  if (Number.isNaN(s.wh) || Number.isNaN(e.wh)) return;
  if (dtMs === 0 && tx !== null && e.powerW > ON_W && sameReading(e, s)) {
    // A later event handed over the meter's previous reading again — same meter timestamp, same values — while
    // power flowed: the meter stopped answering (F01). Flag maintenance, not theft: nothing was misreported.
    if (++e.frozen >= t.frozenSamples) {
      ctx.alert(nowMs, Category.maintenance, 'low', stationEntity(sd, e.id),
        evidence('L1.frozen-meter', sd, e, tx, { registerWh: r1(s.wh), powerW: r1(s.powerW), samples: e.frozen, meterTimestampMs: s.tsMs }));
    }
    return;
  }
  if (!(dtMs > 0)) return;
  e.frozen = 0;
  const dE = s.wh - e.wh;
  const h = dtMs / MS_PER_H;
  const rating = ratingW(ctx, sd, e);
  const slack = (pw: number): number => t.energySlackWh + (pw * t.energySlackMs) / MS_PER_H;
  const maxE = rating.w * h * (1 + t.powerTol) + slack(rating.w);
  if (dE > maxE) {
    hold(ctx, tx);
    ctx.alert(nowMs, Category.impossiblePhysics, 'high', stationEntity(sd, e.id),
      evidence('L1.energy-rating', sd, e, tx, { deltaWh: r1(dE), intervalMs: dtMs, ratingW: rating.w, maxWh: r1(maxE) }), dE / Math.max(1, maxE));
  }
  const p0 = e.powerW;
  const p1 = s.powerW;
  if (!Number.isNaN(p0) && !Number.isNaN(p1)) {
    const lo = Math.min(p0, p1);
    const hi = Math.max(p0, p1);
    const upper = hi * h * (1 + Math.max(t.energyTol, 0.1)) + slack(hi);
    if (dE > upper && dE <= maxE) {
      hold(ctx, tx);
      ctx.alert(nowMs, Category.impossiblePhysics, 'high', stationEntity(sd, e.id),
        evidence('L1.energy-above-power', sd, e, tx, { deltaWh: r1(dE), intervalMs: dtMs, p0W: r1(p0), p1W: r1(p1), upperWh: r1(upper) }), dE / Math.max(1, upper));
    }
    if (lo > ON_W) {
      const expected = lo * h;
      {
        // A register that stands still under fresh meter timestamps while power flows is a register that lies (A08
        // freeze); a stuck meter repeats its last reading, timestamp included (above).
        const lower = expected * (1 - t.energyTol) - slack(lo);
        if (dE < lower) {
          hold(ctx, tx);
          ctx.alert(nowMs, Category.underReporting, 'high', stationEntity(sd, e.id),
            evidence('L1.energy-below-power', sd, e, tx, { deltaWh: r1(dE), intervalMs: dtMs, p0W: r1(p0), p1W: r1(p1), lowerWh: r1(lower), ratio: r1(dE / expected * 100) / 100 }),
            1 - dE / expected);
        } else if (expected >= t.cusumMinWh && e.cusum.add(Math.min(1, Math.max(0, 1 - (dE + REGISTER_RESOLUTION_WH) / expected)))) {
          hold(ctx, tx);
          ctx.alert(nowMs, Category.underReporting, 'medium', stationEntity(sd, e.id),
            evidence('L2.energy-power-cusum', sd, e, tx, { cusum: r1(e.cusum.s * 1000) / 1000, k: t.cusumK, h: t.cusumH, lastRatio: r1(dE / expected * 1000) / 1000 }), e.cusum.s);
          e.cusum.reset();
        }
      }
    }
  }
  if (!Number.isNaN(s.soc) && !Number.isNaN(e.soc)) {
    const charging = !Number.isNaN(p0) && p0 > ON_W;
    if (charging && s.soc < e.soc - t.socDropPct) {
      hold(ctx, tx);
      ctx.alert(nowMs, Category.impossiblePhysics, 'medium', stationEntity(sd, e.id), evidence('L1.soc-falls', sd, e, tx, { soc: s.soc, previousSoc: e.soc }));
    }
    const maxRise = (Math.max(0, dE) / t.minBatteryWh) * 100 + t.socJumpPct;
    if (s.soc - e.soc > maxRise) {
      ctx.alert(nowMs, Category.impossiblePhysics, 'medium', stationEntity(sd, e.id),
        evidence('L1.soc-jump', sd, e, tx, { soc: s.soc, previousSoc: e.soc, deltaWh: r1(dE), maxRisePct: r1(maxRise) }));
    }
  }
}

/** On/off switching within one transaction (A12c, per station) and the EVSE's share of the fleet aggregate. */
export function powerState(ctx: Ctx, sd: StationDet, e: EvseDet, tx: TxDet | null, p: number, nowMs: number): void {
  if (Number.isNaN(p)) return;
  const commanded = recentlyCommanded(ctx, sd, nowMs);
  const on = p > ON_W;
  if (on !== e.on) {
    e.on = on;
    if (!commanded && ++e.toggles >= ctx.t.toggleAlert) {
      ctx.alert(nowMs, Category.loadAltering, 'medium', stationEntity(sd, e.id),
        evidence('L2.power-oscillation', sd, e, tx, { toggles: e.toggles, powerW: r1(p) }), e.toggles);
    }
  }
  ctx.fleet.power(sd, e, p, commanded, nowMs);
}

/** Keeps this sample as the baseline of the next interval (only a sample with a register reading can anchor one). */
export function keepSample(e: EvseDet, s: Sample, txId: string | null, seqNo: number): void {
  if (Number.isNaN(s.wh) || Number.isNaN(s.tsMs)) return;
  e.txId = txId;
  e.seqNo = seqNo;
  e.tsMs = s.tsMs;
  e.wh = s.wh;
  if (Number.isNaN(e.beginWh)) e.beginWh = s.wh;
  e.powerW = s.powerW;
  e.soc = Number.isNaN(s.soc) ? e.soc : s.soc;
  e.currentA = s.currentA;
  e.voltageV = s.voltageV;
}

function sameOrBoth(a: number, b: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(b)) || a === b;
}

/** Every meter value of `s` equals the kept sample's (register, power, current, voltage). */
function sameReading(e: EvseDet, s: Sample): boolean {
  return s.wh === e.wh && sameOrBoth(e.powerW, s.powerW) && sameOrBoth(e.currentA, s.currentA) && sameOrBoth(e.voltageV, s.voltageV);
}
