/** The attack library (ATTACKS.md §3): planning, injection, out-of-band ground truth. */
export { AttackRunner, type AttackRunnerOptions, type AttackResults } from './runner.js';
export { attackImpl, attackProblems, implementedAttacks } from './registry.js';
export { planAttacks, fleetIndex, type InstancePlan, type FleetIndex } from './plan.js';
export { mergeInstances, InstanceRecorder } from './recorder.js';
export { AttackEnv, type AttackSink } from './env.js';
export { Rogue, type RogueOptions, type RogueOpen } from './rogue.js';
export { reactionsOf, resultFacets } from './reactions.js';
export type { AttackImpl } from './types.js';
