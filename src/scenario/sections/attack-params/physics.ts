import { duration, number, oneOf, string } from '../../read.js';
import type { ParamTable } from '../params.js';

/** Parameters of the session- and physics-level attacks and of the faults / benign events F01-F04. */
export const PHYSICS_PARAMS = {
  A07: {
    mode: { read: oneOf(['concurrent', 'impossible-travel'] as const), default: 'concurrent',
      doc: 'concurrent: a token in a transaction at one target starts another at the second; impossible-travel: right after it ended there' },
  },
  A08: {
    mode: { read: oneOf(['scale', 'freeze', 'decrease', 'end-below-begin'] as const), default: 'scale', doc: 'how the register is falsified while power flows' },
    factor: { read: number({ min: 0, max: 1, above: true }), default: 0.5, doc: 'reported/true energy (mode scale)' },
  },
  A09: {
    mode: { read: oneOf(['power-above-rating', 'energy-above-power', 'voltage-current-mismatch', 'soc-jump'] as const), default: 'power-above-rating',
      doc: 'which physical impossibility is reported' },
    factor: { read: number({ min: 1, above: true, max: 1000 }), default: 3, doc: 'inflation factor' },
  },
  A12: {
    mode: { read: oneOf(['ignore-profile', 'synchronized-switching', 'oscillation', 'inflated-needs'] as const), default: 'ignore-profile',
      doc: 'ignore-profile: draw full power above the active limit; synchronized-switching: all targets start/stop together; oscillation: periodic on/off; inflated-needs: spoofed NotifyEVChargingNeeds/SoC' },
    period: { read: duration({ min: 1000 }), default: 10_000, doc: 'on/off period (oscillation, synchronized-switching)' },
  },
  F01: {},
  F02: {
    period: { read: duration({ min: 500 }), default: 5_000, doc: 'time between Faulted and Available' },
  },
  F03: {
    outage: { read: duration({ min: 1000 }), default: 20_000, doc: 'how long each connectivity loss lasts' },
  },
  F04: {
    firmwareVersion: { read: string({ maxLength: 50 }), default: '9.9.0', doc: 'the (newer) version installed' },
  },
} as const satisfies Record<string, ParamTable>;
