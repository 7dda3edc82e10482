import type { AttackTypeId } from '../../spec.js';
import type { ParamTable } from '../params.js';
import { CONNECTION_PARAMS } from './connection.js';
import { FRAME_PARAMS } from './frames.js';
import { PHYSICS_PARAMS } from './physics.js';

export { FUZZ_CASES, SECURITY_EVENTS } from './frames.js';

/** Every attack type's parameter table (each type validates its own `params:`). */
export const ATTACK_PARAMS: Readonly<Record<AttackTypeId, ParamTable>> = {
  ...CONNECTION_PARAMS, ...FRAME_PARAMS, ...PHYSICS_PARAMS,
};

/** Entry-level defaults per type: how many stations an instance touches and its rate (what one unit is: docs). */
export const ATTACK_DEFAULTS: Readonly<Record<AttackTypeId, { stations: number; rate: number; duration: number }>> = {
  A01: { stations: 1, rate: 200, duration: 20_000 },
  A02: { stations: 1, rate: 5, duration: 20_000 },
  A03: { stations: 1, rate: 1, duration: 10_000 },
  A04: { stations: 1, rate: 5, duration: 10_000 },
  A05: { stations: 1, rate: 2, duration: 10_000 },
  A06: { stations: 1, rate: 5, duration: 30_000 },
  A07: { stations: 2, rate: 1, duration: 10_000 },
  A08: { stations: 1, rate: 1, duration: 60_000 },
  A09: { stations: 1, rate: 1, duration: 30_000 },
  A10: { stations: 1, rate: 1, duration: 10_000 },
  A11: { stations: 1, rate: 1, duration: 10_000 },
  A12: { stations: 1, rate: 1, duration: 60_000 },
  A13: { stations: 1, rate: 1, duration: 10_000 },
  A14: { stations: 1, rate: 1, duration: 10_000 },
  A15: { stations: 1, rate: 2, duration: 10_000 },
  A16: { stations: 1, rate: 1, duration: 10_000 },
  F01: { stations: 1, rate: 1, duration: 60_000 },
  F02: { stations: 1, rate: 1, duration: 30_000 },
  F03: { stations: 1, rate: 1, duration: 60_000 },
  F04: { stations: 3, rate: 1, duration: 60_000 },
};
