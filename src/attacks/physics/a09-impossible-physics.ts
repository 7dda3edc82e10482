import type { ReadingContext, SampledValue } from '../../station/meter.js';
import type { AttackImpl } from '../types.js';
import { chargingTarget, endTx, mapMeasurand, tamperMeter, txEnded } from './session.js';

/** Where an invented SoC starts (soc-jump on an EVSE that reports none). */
const SOC_START = 20;

/**
 * A09 meter inflation / impossible physics: while the target charges, its readings report what no meter of its
 * rating can measure — `power-above-rating` (power and current at factor × the EVSE rating, the register growing
 * with that power), `energy-above-power` (register growing factor × faster than the reported power allows),
 * `voltage-current-mismatch` (current divided by factor, so P > V·I), `soc-jump` (SoC rising 10·factor points per
 * reading; added to readings of an EVSE that reports no SoC). The physics stays true; an inflated register keeps its offset afterwards (no jump back). The
 * transaction ends with the instance (the driver leaves), so the next car's SoC starts afresh.
 */
export const A09: AttackImpl = {
  type: 'A09',
  title: 'impossible meter physics',
  async run(env) {
    const { mode, factor } = env.params as { mode: string; factor: number };
    const target = await chargingTarget(env);
    if (!target) return;
    const { st, evse, tx } = target;
    env.recorder.graceMs = env.ctx.spec.sessions.meterInterval;
    const ratingW = evse.physics.ratingW;
    let lastTrue = NaN;
    let socBoost = 0;
    const stop = tamperMeter(env, evse, tx.id, (mv, context, trueWh, reg) => {
      if (Number.isNaN(trueWh) || context === 'Transaction.Begin') return null;
      const dTrue = Number.isNaN(lastTrue) ? 0 : Math.max(0, trueWh - lastTrue);
      lastTrue = trueWh;
      const truePowerW = evse.physics.powerW;
      switch (mode) {
        case 'power-above-rating': {
          const ratio = truePowerW > 0 ? (ratingW * factor) / truePowerW : factor;
          reg.offsetWh += (ratio - 1) * dTrue;
          let out = reg.apply(mv);
          out = mapMeasurand(out, 'Power.Active.Import', (v) => (v > 0 ? ratingW * factor : v));
          return mapMeasurand(out, 'Current.Import', (v) => v * ratio);
        }
        case 'energy-above-power':
          reg.offsetWh += (factor - 1) * dTrue;
          return reg.apply(mv);
        case 'voltage-current-mismatch':
          return mapMeasurand(reg.apply(mv), 'Current.Import', (v) => v / factor);
        default: { // soc-jump
          socBoost += 10 * factor;
          const out = reg.apply(mv);
          if (out.sampledValue.some((sv) => sv.measurand === 'SoC')) return mapMeasurand(out, 'SoC', (v) => Math.min(100, v + socBoost));
          // An EVSE whose meter reports no SoC (AC): the lie adds one, as an ISO 15118-20 EV would send it.
          const soc: SampledValue = { value: Math.min(100, SOC_START + socBoost), context: context as ReadingContext, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } };
          return { timestamp: out.timestamp, sampledValue: [...out.sampledValue, soc] };
        }
      }
    });
    try {
      await txEnded(env, evse, tx.id, env.deadlineMs);
      await endTx(env, evse, tx.id);
    } finally {
      stop();
    }
  },
};
