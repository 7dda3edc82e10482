import type { AttackEntrySpec, AttackTypeId, ScenarioSpec, StationGroupSpec } from '../scenario/spec.js';
import type { AttackEnv } from './env.js';

/**
 * One attack type of the library (ATTACKS.md §3). `run` injects one instance: it sends the malicious frames
 * at the instance's rate until `env.deadlineMs`, marks each with `env.malicious()`, names what it touched
 * (`env.scope`), and records the protocol reaction to each frame that has an expected one (`env.call` does
 * both). Its parameters are declared and validated in the scenario (sections/attack-params).
 */
export interface AttackImpl {
  readonly type: AttackTypeId;
  readonly title: string;
  /** Stations this type can target (e.g. Plug & Charge stations for A15); undefined = any. */
  eligible?(group: StationGroupSpec): boolean;
  /**
   * The target stations must be online (boot accepted) before injection starts: the instance waits for them,
   * up to its end. Default true.
   */
  readonly needsOnline?: boolean;
  /** Why this entry cannot run with this scenario (e.g. A02 needs credentials: security profile ≥ 1); undefined = fine. */
  problem?(spec: ScenarioSpec, entry: AttackEntrySpec): string | undefined;
  run(env: AttackEnv): Promise<void>;
}
