import type { AttackImpl } from '../types.js';
import { A07 } from './a07-token-cloning.js';
import { A08 } from './a08-under-reporting.js';
import { A09 } from './a09-impossible-physics.js';
import { A12 } from './a12-load-altering.js';
import { F01 } from './f01-frozen-meter.js';
import { F02 } from './f02-connector-flapping.js';
import { F03 } from './f03-connectivity-flaps.js';
import { F04 } from './f04-firmware-update.js';

/** Session- and physics-level attacks (token cloning, meter tampering, load altering) and faults F01-F04. */
export const PHYSICS_ATTACKS: Readonly<Record<string, AttackImpl>> = { A07, A08, A09, A12, F01, F02, F03, F04 };
