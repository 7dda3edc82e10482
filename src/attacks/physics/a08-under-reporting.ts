import type { AttackImpl } from '../types.js';
import { chargingTarget, endTx, mapMeasurand, tamperMeter, txEnded } from './session.js';

const REGISTER = 'Energy.Active.Import.Register';

/**
 * A08 energy theft by meter under-reporting: while the target charges (a transaction it has, or one a driver
 * starts), the reported Energy.Active.Import.Register lies — `scale` (×factor of the true energy), `freeze` (stuck
 * at its value when the attack began while power keeps flowing), `decrease` (falling by factor × the true energy),
 * or `end-below-begin` (only the Ended reading, below the Started one). Power, current and voltage stay true: the
 * EV really draws the energy (the physics is untouched). At the instance's end the driver leaves, so the
 * transaction's Ended carries the lie; the ground-truth window ends there plus one meter interval.
 */
export const A08: AttackImpl = {
  type: 'A08',
  title: 'meter under-reporting',
  async run(env) {
    const { mode, factor } = env.params as { mode: string; factor: number };
    const target = await chargingTarget(env);
    if (!target) return;
    const { st, evse, tx } = target;
    env.recorder.graceMs = env.ctx.spec.sessions.meterInterval;
    let trueStart = NaN;
    let base = NaN;
    const stop = tamperMeter(env, evse, tx.id, (mv, context, trueWh, reg) => {
      if (Number.isNaN(trueWh)) return null;
      if (mode === 'end-below-begin') {
        if (context !== 'Transaction.End') return null;
        // The Ended reading below the Started one (which was reported with the offset in force then).
        const begin = tx.startRegisterWh + reg.offsetWh;
        const reported = Math.max(0, begin - Math.max(10, factor * (trueWh - tx.startRegisterWh)));
        reg.offsetWh = reported - trueWh;
        return mapMeasurand(mv, REGISTER, () => reported);
      }
      if (Number.isNaN(trueStart)) { trueStart = trueWh; base = trueWh + reg.offsetWh; }
      const delivered = trueWh - trueStart;
      const reported = mode === 'freeze' ? base : mode === 'decrease' ? Math.max(0, base - factor * delivered) : base + factor * delivered;
      reg.offsetWh = reported - trueWh;
      return mapMeasurand(mv, REGISTER, () => reported);
    });
    try {
      await txEnded(env, evse, tx.id, env.deadlineMs);
      await endTx(env, evse, tx.id);
    } finally {
      stop();
    }
  },
};
