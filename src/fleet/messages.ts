import type { MetricsSnapshot } from '../metrics/snapshot.js';
import type { ProgressSample } from '../metrics/progress.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import type { LoadgenStats } from './loadgen.js';
import type { ShardSpec } from './plan.js';
import type { AttackResults } from '../attacks/index.js';

/** Parent → generator child. */
export type ToChild =
  | { t: 'init'; spec: ScenarioSpec; target: string; shard: ShardSpec; idPrefix: string; startAtMs: number; verbose: boolean }
  | { t: 'snapshot'; id: number }
  | { t: 'abort' };

export interface ChildResult {
  interrupted: boolean;
  stationsPlanned: number;
  peakConnected: number;
  /** This process's part of the attacks (ground truth, reactions); absent without `attacks:`. */
  attacks?: AttackResults;
  /** When the fleet's phases started in this process (epoch ms). */
  startedMs?: number;
}

/** Generator child → parent. */
export type FromChild =
  | { t: 'ready' }
  | { t: 'progress'; sample: ProgressSample; connected: number; lagP99Ms: number }
  | { t: 'snapshot'; id: number; snap: MetricsSnapshot }
  | { t: 'done'; snap: MetricsSnapshot; result: ChildResult; loadgen: LoadgenStats }
  | { t: 'error'; message: string };
