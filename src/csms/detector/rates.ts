import { Category } from './alert.js';
import { connEntity, type Ctx } from './context.js';
import { RATE_CLASSES, RATE_MEAN, RATE_VAR, type StationDet } from './station.js';

const CLASS_NAMES = ['Heartbeat', 'StatusNotification', 'TransactionEvent', 'MeterValues', 'Authorize', 'DataTransfer', 'other'];
/** Beyond this many empty buckets the baseline has decayed to nothing anyway. */
const MAX_CATCH_UP = 64;
/** Weight of one station-bucket in the fleet prior (an EWMA over the last ~100 station-buckets). */
const PRIOR_LAMBDA = 0.01;

/**
 * Per-station, per-action-class message rates (A01, ATTACKS.md §5 L2): counts per `rateBucketMs` bucket; EWMA
 * mean and variance of the counts (λ per bucket). A class alarms, within the bucket as soon as its count reaches
 * max(rateMinCount, rateRatio·μ, μ + rateZ·max(σ, √μ, 1)) — the Poisson floor keeps quiet stations from alarming
 * on a handful of messages. An alarmed bucket is kept out of the baseline (frozen while alarmed); during the
 * warm-up everything is learned and nothing alarms. 7 classes × 3 numbers per station, plus one fleet prior.
 */
export function observeRate(ctx: Ctx, sd: StationDet, cls: number, nowMs: number, weight: number): void {
  const t = ctx.t;
  const bucket = Math.floor(nowMs / t.rateBucketMs);
  if (bucket !== sd.rateBucket) roll(ctx, sd, bucket);
  if (weight === 0) return;
  const r = sd.rates;
  const c = (r[cls] += weight);
  const bit = 1 << cls;
  if ((sd.rateAlarmed & bit) !== 0 || !ctx.warm(nowMs)) return;
  const mean = r[RATE_MEAN + cls]!;
  const sigma = Math.max(Math.sqrt(r[RATE_VAR + cls]!), Math.sqrt(mean), 1);
  const thr = Math.max(t.rateMinCount, t.rateRatio * mean, mean + t.rateZ * sigma);
  if (c < thr) return;
  sd.rateAlarmed |= bit;
  ctx.alert(nowMs, Category.flood, 'high', connEntity(sd), {
    rule: 'L2.message-rate', actionClass: CLASS_NAMES[cls], count: c, bucketMs: t.rateBucketMs,
    baseline: Math.round(mean * 100) / 100, threshold: Math.round(thr * 100) / 100,
  }, (c - mean) / sigma);
}

function roll(ctx: Ctx, sd: StationDet, bucket: number): void {
  const prev = sd.rateBucket;
  sd.rateBucket = bucket;
  const prior = ctx.fleetRates;
  if (prev < 0) {
    // A station's first bucket starts from the fleet's typical counts, so a busy-but-normal newcomer (a load
    // test's stations all send at the same rate) is not alarmed before it has a history of its own.
    for (let k = 0; k < RATE_CLASSES; k++) { sd.rates[RATE_MEAN + k] = prior[k]!; sd.rates[RATE_VAR + k] = prior[k]!; }
    return;
  }
  const lambda = ctx.t.rateLambda;
  const empty = Math.min(bucket - prev - 1, MAX_CATCH_UP);
  for (let k = 0; k < RATE_CLASSES; k++) {
    if ((sd.rateAlarmed & (1 << k)) === 0) {
      const x = sd.rates[k]!;
      fold(sd, k, x, lambda);
      prior[k] = prior[k]! + PRIOR_LAMBDA * (x - prior[k]!);
    }
    for (let i = 0; i < empty; i++) fold(sd, k, 0, lambda);
    sd.rates[k] = 0;
  }
  sd.rateBuckets++;
  sd.rateAlarmed = 0;
}

function fold(sd: StationDet, k: number, x: number, lambda: number): void {
  const r = sd.rates;
  const m = r[RATE_MEAN + k]!;
  const d = x - m;
  r[RATE_MEAN + k] = m + lambda * d;
  r[RATE_VAR + k] = (1 - lambda) * (r[RATE_VAR + k]! + lambda * d * d);
}
