import type { AttackImpl } from '../types.js';

/** Session- and physics-level attacks (token cloning, meter tampering, load altering) and faults F01-F04. */
export const PHYSICS_ATTACKS: Readonly<Record<string, AttackImpl>> = {};
