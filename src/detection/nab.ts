/**
 * Optional NAB-style score (ATTACKS.md §4, numenta/NAB), with the label windows W_i in place of NAB's
 * "10 % of the series" rule: the first detection in a window earns A_tp·σ(y), y ∈ [−1, 0] its relative position
 * (≈ +1 at the window start, 0 at its end); a false positive costs A_fp·σ(y) by its distance y > 0 after the
 * latest earlier window of the same entity (−A_fp when there is none; −1·A_fp beyond 3 widths); a missed window
 * costs A_fn. Duplicates and maintenance alerts score 0. Normalised to 0–100 between the null detector (no
 * alerts) and the perfect one (every window detected at its start).
 */

export interface NabProfile {
  tp: number;
  fp: number;
  fn: number;
}

/** The weights of numenta/NAB `config/profiles.json`. */
export const NAB_PROFILES: Readonly<Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', NabProfile>> = Object.freeze({
  standard: Object.freeze({ tp: 1, fp: 0.11, fn: 1 }),
  reward_low_FP_rate: Object.freeze({ tp: 1, fp: 0.22, fn: 1 }),
  reward_low_FN_rate: Object.freeze({ tp: 1, fp: 0.11, fn: 2 }),
});

export type NabProfileName = keyof typeof NAB_PROFILES;

/** NAB's scaled sigmoid: 2/(1 + e^{5y}) − 1, and −1 far (y > 3) behind a window. */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** One attack window and when it was first detected (null: missed). */
export interface NabWindow { fromMs: number; toMs: number; firstDetectionMs: number | null }
/** One false positive and the latest earlier window of its entity (null: none). */
export interface NabFalsePositive { ts: number; previous: { fromMs: number; toMs: number } | null }

export interface NabResult {
  profile: NabProfile;
  raw: number;
  /** 0 = null detector, 100 = perfect; null without windows. */
  normalized: number | null;
}

function position(ts: number, fromMs: number, toMs: number): number {
  const width = Math.max(1, toMs - fromMs);
  return (ts - toMs) / width;
}

export function nabScore(windows: readonly NabWindow[], fps: readonly NabFalsePositive[], profile: NabProfile): NabResult {
  let raw = 0;
  for (const w of windows) {
    if (w.firstDetectionMs === null) raw -= profile.fn;
    else raw += profile.tp * scaledSigmoid(Math.max(-1, Math.min(0, position(w.firstDetectionMs, w.fromMs, w.toMs))));
  }
  for (const f of fps) {
    raw += f.previous === null ? -profile.fp : profile.fp * scaledSigmoid(Math.max(0, position(f.ts, f.previous.fromMs, f.previous.toMs)));
  }
  const n = windows.length;
  const nullScore = -profile.fn * n;
  const perfect = profile.tp * scaledSigmoid(-1) * n;
  const normalized = n > 0 ? Math.round((100 * (raw - nullScore) / (perfect - nullScore)) * 1000) / 1000 : null;
  return { profile, raw: Math.round(raw * 1e6) / 1e6, normalized };
}
