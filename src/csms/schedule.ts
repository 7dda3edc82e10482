import { mixSeed } from '../util/rng.js';
import type { CsmsCommandSpec } from '../scenario/spec.js';

interface Entry {
  readonly spec: CsmsCommandSpec;
  readonly index: number;
  nextMs: number;
  fired: number;
}

/** One firing of a scheduled command: which command, and its per-command firing number (0, 1, ...). */
export interface Firing {
  readonly spec: CsmsCommandSpec;
  readonly index: number;
  readonly fireNo: number;
}

/**
 * When each of the scenario's `csms.commands` is due (`at` after the run start, then every `every` ms).
 * Driven by the CSMS's one periodic tick; no timer per command. Periods missed while the process was busy are
 * skipped, not sent in a burst.
 */
export class CommandSchedule {
  private readonly entries: Entry[];
  private started = false;

  constructor(commands: readonly CsmsCommandSpec[]) {
    this.entries = commands.map((spec, index) => ({ spec, index, nextMs: 0, fired: 0 }));
  }

  get active(): boolean { return this.started && this.entries.length > 0; }

  start(runStartMs: number): void {
    for (const e of this.entries) { e.nextMs = runStartMs + e.spec.at; e.fired = 0; }
    this.started = true;
  }

  /** The firings due at `nowMs`, each advancing its command to its next time. */
  due(nowMs: number): Firing[] {
    if (!this.started) return [];
    const out: Firing[] = [];
    for (const e of this.entries) {
      if (e.nextMs > nowMs) continue;
      out.push({ spec: e.spec, index: e.index, fireNo: e.fired++ });
      if (e.spec.every > 0) {
        e.nextMs += e.spec.every;
        if (e.nextMs <= nowMs) e.nextMs += Math.ceil((nowMs - e.nextMs + 1) / e.spec.every) * e.spec.every;
      } else e.nextMs = Infinity;
    }
    return out;
  }
}

const INDEX_BITS = 2 ** 21;

/**
 * Picks round(fraction × n) (at least one) of `candidates`, deterministically from (seed, command, firing,
 * station id hash): each candidate gets a pseudo-random rank and the lowest ranks win. The choice does not
 * depend on the order stations connected in, and costs one numeric sort (fine for 100k stations).
 */
export function selectStations<T extends { readonly state: { readonly hash: number } }>(
  candidates: readonly T[], fraction: number, seed: number, commandIndex: number, fireNo: number,
): T[] {
  const n = candidates.length;
  if (n === 0 || !(fraction > 0)) return [];
  if (fraction >= 1) return candidates.slice();
  const k = Math.min(n, Math.max(1, Math.round(fraction * n)));
  // rank (32 bits) and candidate index (21 bits) packed into one exactly representable double.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = mixSeed(seed, commandIndex, fireNo, candidates[i]!.state.hash) * INDEX_BITS + (i % INDEX_BITS);
  keys.sort();
  const out: T[] = new Array(k);
  for (let j = 0; j < k; j++) out[j] = candidates[keys[j]! % INDEX_BITS]!;
  return out;
}
