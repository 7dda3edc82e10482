import type { InputProblem } from '../util/errors.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import type { AttackImpl } from './types.js';
import { CONNECTION_ATTACKS } from './connection/index.js';
import { FRAME_ATTACKS } from './frames/index.js';
import { PHYSICS_ATTACKS } from './physics/index.js';

/** Every implemented attack type, by id (each family registers its own in its folder's index). */
const ATTACKS: Readonly<Record<string, AttackImpl>> = Object.freeze({ ...CONNECTION_ATTACKS, ...FRAME_ATTACKS, ...PHYSICS_ATTACKS });

export function attackImpl(type: string): AttackImpl | undefined {
  return ATTACKS[type];
}

export function implementedAttacks(): string[] {
  return Object.keys(ATTACKS).sort();
}

/** Scenario problems the attack library finds (a type it cannot inject), reported with the file's other problems. */
export function attackProblems(spec: ScenarioSpec): InputProblem[] {
  const out: InputProblem[] = [];
  spec.attacks.forEach((a, i) => {
    const impl = ATTACKS[a.type];
    if (!impl) {
      out.push({ file: spec.file, path: `attacks[${i}].type`, message: `attack type ${a.type} is not implemented in this version (implemented: ${implementedAttacks().join(', ')})` });
      return;
    }
    const why = impl.problem?.(spec, a);
    if (why) out.push({ file: spec.file, path: `attacks[${i}]`, message: `${a.type} (${impl.title}): ${why}` });
  });
  return out;
}
