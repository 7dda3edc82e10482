import { duration, number, oneOf } from '../../read.js';
import type { ParamTable } from '../params.js';

/** Parameters of the session- and physics-level attacks and of the faults / benign events F01-F04. */
export const PHYSICS_PARAMS = {
  A07: {
    mode: { read: oneOf(['concurrent', 'impossible-travel'] as const), default: 'concurrent',
      doc: 'concurrent: a token charging at the first target is presented at the second (Authorize + TransactionEvent Started) at `rate`/s while the original runs; impossible-travel: once, right after the original ended (stations have no location: time between uses only)' },
  },
  A08: {
    mode: { read: oneOf(['scale', 'freeze', 'decrease', 'end-below-begin'] as const), default: 'scale',
      doc: 'how the reported register lies while power flows: scale (×factor of the energy), freeze (stuck), decrease (falls by factor × the energy), end-below-begin (only the Ended reading, below the Started one)' },
    factor: { read: number({ min: 0, max: 1, above: true }), default: 0.5, doc: 'reported/true energy (scale); fall per true Wh (decrease, end-below-begin)' },
  },
  A09: {
    mode: { read: oneOf(['power-above-rating', 'energy-above-power', 'voltage-current-mismatch', 'soc-jump'] as const), default: 'power-above-rating',
      doc: 'which physical impossibility is reported' },
    factor: { read: number({ min: 1, above: true, max: 1000 }), default: 3,
      doc: 'inflation: power at factor × rating, energy factor × the power, current ÷ factor, SoC +10·factor points per reading' },
  },
  A12: {
    mode: { read: oneOf(['ignore-profile', 'synchronized-switching', 'oscillation', 'inflated-needs'] as const), default: 'ignore-profile',
      doc: 'ignore-profile: draw full power above the active limit; synchronized-switching: all targets start/stop together; oscillation: periodic on/off; inflated-needs: spoofed NotifyEVChargingNeeds/SoC' },
    period: { read: duration({ min: 1000 }), default: 10_000, doc: 'on/off period (oscillation, synchronized-switching); time between spoofed needs (inflated-needs)' },
    needsKwh: { read: number({ min: 1, max: 10_000 }), default: 300, doc: 'energy the spoofed NotifyEVChargingNeeds asks for (inflated-needs)' },
  },
  F01: {},
  F02: {
    period: { read: duration({ min: 500 }), default: 5_000, doc: 'time between Faulted and Available' },
  },
  F03: {
    outage: { read: duration({ min: 1000 }), default: 20_000, doc: 'how long each connectivity loss lasts' },
  },
  F04: {},
} as const satisfies Record<string, ParamTable>;
