import type { MeterValue } from '../../station/meter.js';
import type { AttackImpl } from '../types.js';
import { charging, tamperMeter, txEnded } from './session.js';

/**
 * F01 frozen meter (a fault, not an attack): while the target charges, its meter stops answering and the station
 * hands over the meter's last reading again and again — the same values under the same meter timestamp — until
 * the meter recovers at the instance's end (or the transaction ends). The true energy keeps flowing; after
 * recovery the register reads true again (it only moved forward). A good IDS flags it as maintenance.
 */
export const F01: AttackImpl = {
  type: 'F01',
  title: 'frozen meter (fault)',
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const evse = await charging(env, st);
    if (!evse || !evse.tx) return;
    const txId = evse.tx.id;
    env.recorder.graceMs = Math.max(env.recorder.graceMs, env.ctx.spec.sessions.meterInterval);
    let stuck: MeterValue | null = null;
    const stop = tamperMeter(env, evse, txId, (mv, context) => {
      if (context !== 'Sample.Periodic') return null;
      if (stuck === null) { stuck = mv; return null; }
      return stuck;
    });
    try {
      await txEnded(env, evse, txId, env.deadlineMs);
    } finally {
      stop();
      env.recorder.effectUntil(env.nowMs());
    }
  },
};
